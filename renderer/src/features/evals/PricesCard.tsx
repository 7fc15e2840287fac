import {useState} from "react";
import type {EvalPrice} from "../../../../electron/api/EvalApi.ts";
import {useApiAction, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";

function PriceRow({price, onSave}: {price: EvalPrice; onSave: (p: EvalPrice | {reset: true; provider: EvalPrice["provider"]; model: string}) => void}) {
    const [input, setInput] = useState(String(price.inputPerMillion));
    const [cached, setCached] = useState(price.cachedInputPerMillion === null ? "" : String(price.cachedInputPerMillion));
    const [output, setOutput] = useState(String(price.outputPerMillion));
    const changed = input !== String(price.inputPerMillion) || output !== String(price.outputPerMillion) || cached !== (price.cachedInputPerMillion === null ? "" : String(price.cachedInputPerMillion));
    return (
        <tr data-testid="price-row">
            <td>{price.provider}</td>
            <td className="mono">{price.model}</td>
            <td className="num">
                <input className="price" value={input} onChange={(e) => setInput(e.target.value)} aria-label={`${price.model} input price`} />
            </td>
            <td className="num">
                <input className="price" value={cached} placeholder="= input" onChange={(e) => setCached(e.target.value)} aria-label={`${price.model} cached input price`} />
            </td>
            <td className="num">
                <input className="price" value={output} onChange={(e) => setOutput(e.target.value)} aria-label={`${price.model} output price`} />
            </td>
            <td>
                <Badge tone={price.source === "user" ? "accent" : "neutral"}>{price.source === "user" ? "edited" : "list price"}</Badge>
            </td>
            <td>
                {changed && (
                    <button
                        className="button"
                        onClick={() =>
                            onSave({...price, inputPerMillion: Number(input), outputPerMillion: Number(output), cachedInputPerMillion: cached.trim() === "" ? null : Number(cached)})
                        }
                    >
                        Save
                    </button>
                )}
                {price.source === "user" && !changed && (
                    <button className="button" onClick={() => onSave({reset: true, provider: price.provider, model: price.model})}>
                        Reset
                    </button>
                )}
            </td>
        </tr>
    );
}

/** The editable price table costs are computed from (dollars per million tokens). */
export function PricesCard({onChanged}: {onChanged: () => void}) {
    const prices = useApiQuery("eval.prices", {});
    const setPrice = useApiAction("eval.setPrice");
    const [adding, setAdding] = useState({provider: "openrouter", model: "", input: "", output: ""});
    const save = async (arg: Parameters<typeof setPrice.run>[0]) => {
        if (await setPrice.run(arg)) {
            await prices.reload();
            onChanged();
        }
    };
    return (
        <Card title="Prices" subtitle="Dollars per million tokens. Cost per run = uncached input × input + cached input × cached + output × output. Local models cost nothing per token." testId="prices">
            <ErrorBanner error={setPrice.error ?? prices.error} title="The price was not saved" />
            <table className="table">
                <thead>
                    <tr>
                        <th>Provider</th>
                        <th>Model</th>
                        <th className="num">Input</th>
                        <th className="num">Cached input</th>
                        <th className="num">Output</th>
                        <th>Source</th>
                        <th />
                    </tr>
                </thead>
                <tbody>
                    {prices.data?.map((p) => (
                        <PriceRow
                            key={`${p.provider}:${p.model}:${p.source}:${p.inputPerMillion}:${p.outputPerMillion}:${p.cachedInputPerMillion}`}
                            price={p}
                            onSave={(next) =>
                                void save(
                                    "reset" in next
                                        ? next
                                        : {provider: next.provider, model: next.model, inputPerMillion: next.inputPerMillion, outputPerMillion: next.outputPerMillion, cachedInputPerMillion: next.cachedInputPerMillion}
                                )
                            }
                        />
                    ))}
                    <tr>
                        <td>
                            <select value={adding.provider} onChange={(e) => setAdding({...adding, provider: e.target.value})} aria-label="New price provider">
                                {["openai", "anthropic", "openrouter", "gemini", "openai-compatible"].map((p) => (
                                    <option key={p}>{p}</option>
                                ))}
                            </select>
                        </td>
                        <td>
                            <input value={adding.model} placeholder="model id" onChange={(e) => setAdding({...adding, model: e.target.value})} aria-label="New price model" />
                        </td>
                        <td className="num">
                            <input className="price" value={adding.input} onChange={(e) => setAdding({...adding, input: e.target.value})} aria-label="New input price" />
                        </td>
                        <td />
                        <td className="num">
                            <input className="price" value={adding.output} onChange={(e) => setAdding({...adding, output: e.target.value})} aria-label="New output price" />
                        </td>
                        <td />
                        <td>
                            <button
                                className="button"
                                disabled={!adding.model.trim() || adding.input === "" || adding.output === ""}
                                onClick={() =>
                                    void save({
                                        provider: adding.provider as EvalPrice["provider"],
                                        model: adding.model.trim(),
                                        inputPerMillion: Number(adding.input),
                                        outputPerMillion: Number(adding.output)
                                    }).then(() => setAdding({...adding, model: "", input: "", output: ""}))
                                }
                            >
                                Add
                            </button>
                        </td>
                    </tr>
                </tbody>
            </table>
        </Card>
    );
}
