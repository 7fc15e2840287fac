import type {ContextLimit} from "../../api/EngineApi.ts";

const tokens = (n: number) => n.toLocaleString("en-US");

/**
 * How a load's context relates to the model's trained context, said out loud: with no context asked
 * for, the engine caps the agent default at the trained length; a context asked for beyond it is
 * served as asked (llama.cpp allows it), with a warning. Null when the context is within the trained one.
 */
export function contextLimit(requested: number | undefined, defaultContext: number, trained: number, applied: number): ContextLimit | null {
    if (requested === undefined && defaultContext > trained)
        return {
            action: "capped",
            requested: defaultContext,
            trained,
            applied,
            message: `Context capped at ${tokens(applied)} tokens, the length the model was trained for; the agent default is ${tokens(defaultContext)}, so a coding agent's longer conversations will not fit.`
        };
    if (requested !== undefined && applied > trained)
        return {
            action: "beyond-trained",
            requested,
            trained,
            applied,
            message: `Context ${tokens(applied)} tokens goes beyond the ${tokens(trained)} the model was trained for: llama.cpp serves it as asked, but answers past ${tokens(trained)} tokens may degrade.`
        };
    return null;
}
