import type {EvalPrice} from "../../api/EvalApi.ts";

type DefaultPrice = Omit<EvalPrice, "source">;

/**
 * Published list prices, dollars per million tokens (standard tier, prompts under 200k tokens).
 * Prices change: people edit them in the app (`eval.setPrice`), and their edits win.
 */
export const defaultPrices: readonly DefaultPrice[] = [
    {provider: "openai", model: "gpt-4.1", inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8},
    {provider: "openai", model: "gpt-4.1-mini", inputPerMillion: 0.4, cachedInputPerMillion: 0.1, outputPerMillion: 1.6},
    {provider: "openai", model: "gpt-4.1-nano", inputPerMillion: 0.1, cachedInputPerMillion: 0.025, outputPerMillion: 0.4},
    {provider: "openai", model: "gpt-5", inputPerMillion: 1.25, cachedInputPerMillion: 0.125, outputPerMillion: 10},
    {provider: "openai", model: "gpt-5-mini", inputPerMillion: 0.25, cachedInputPerMillion: 0.025, outputPerMillion: 2},
    {provider: "anthropic", model: "claude-sonnet-4-5", inputPerMillion: 3, cachedInputPerMillion: 0.3, outputPerMillion: 15},
    {provider: "anthropic", model: "claude-haiku-4-5", inputPerMillion: 1, cachedInputPerMillion: 0.1, outputPerMillion: 5},
    {provider: "anthropic", model: "claude-opus-4-5", inputPerMillion: 5, cachedInputPerMillion: 0.5, outputPerMillion: 25},
    {provider: "gemini", model: "gemini-2.5-pro", inputPerMillion: 1.25, cachedInputPerMillion: null, outputPerMillion: 10},
    {provider: "gemini", model: "gemini-2.5-flash", inputPerMillion: 0.3, cachedInputPerMillion: null, outputPerMillion: 2.5},
    {provider: "openrouter", model: "anthropic/claude-sonnet-4.5", inputPerMillion: 3, cachedInputPerMillion: 0.3, outputPerMillion: 15},
    {provider: "openrouter", model: "anthropic/claude-haiku-4.5", inputPerMillion: 1, cachedInputPerMillion: 0.1, outputPerMillion: 5},
    {provider: "openrouter", model: "openai/gpt-4.1", inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8},
    {provider: "openrouter", model: "openai/gpt-4.1-mini", inputPerMillion: 0.4, cachedInputPerMillion: 0.1, outputPerMillion: 1.6},
    {provider: "openrouter", model: "google/gemini-2.5-pro", inputPerMillion: 1.25, cachedInputPerMillion: null, outputPerMillion: 10},
    {provider: "openrouter", model: "google/gemini-2.5-flash", inputPerMillion: 0.3, cachedInputPerMillion: null, outputPerMillion: 2.5}
];

/**
 * The price for a model: an exact entry, else the longest entry the model id extends with a
 * dated or versioned suffix ("claude-sonnet-4-5-20250929" → "claude-sonnet-4-5").
 */
export function findPrice(prices: readonly EvalPrice[], provider: string, model: string): EvalPrice | null {
    const candidates = prices.filter((p) => p.provider === provider);
    const exact = candidates.find((p) => p.model === model);
    if (exact) return exact;
    return (
        candidates
            .filter((p) => model.startsWith(`${p.model}-`) || model.startsWith(`${p.model}@`) || model.startsWith(`${p.model}:`))
            .sort((a, b) => b.model.length - a.model.length)[0] ?? null
    );
}
