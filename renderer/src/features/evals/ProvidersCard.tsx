import {useState} from "react";
import type {EvalProviderInfo} from "../../../../electron/api/EvalApi.ts";
import {useApiAction} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Card} from "../../components/Card.tsx";
import {ErrorBanner} from "../../components/ErrorBanner.tsx";

/** Which providers have a key, and (desktop) a way to store one in the OS keychain. Keys are never shown back. */
export function ProvidersCard(props: {providers: EvalProviderInfo[]; onChanged: () => void}) {
    const setKey = useApiAction("eval.setApiKey");
    const [drafts, setDrafts] = useState<Record<string, string>>({});
    const keychain = props.providers[0]?.keyStorage === "keychain";
    const save = async (id: EvalProviderInfo["id"], apiKey: string | null) => {
        if (await setKey.run({provider: id, apiKey})) {
            setDrafts((d) => ({...d, [id]: ""}));
            props.onChanged();
        }
    };
    return (
        <Card
            title="Providers"
            subtitle={
                keychain
                    ? "API keys are kept in the OS keychain; they never reach the database, logs or exports."
                    : "In the browser mode and the CLI, API keys come from environment variables set before AgentFit starts; they never reach the database, logs or exports."
            }
            testId="providers"
        >
            <ErrorBanner error={setKey.error} title="The key was not saved" />
            <table className="table">
                <tbody>
                    {props.providers.map((p) => (
                        <tr key={p.id} data-testid="provider-row">
                            <td>
                                <strong>{p.label}</strong>
                                <div className="muted small">{p.defaultBaseUrl ?? p.note}</div>
                            </td>
                            <td>
                                {p.id === "local" ? (
                                    <Badge tone={p.available ? "good" : "neutral"}>{p.available ? "engine ready" : "engine not available"}</Badge>
                                ) : p.keyConfigured ? (
                                    <Badge tone="good">key set</Badge>
                                ) : (
                                    <Badge tone={p.id === "openai-compatible" ? "neutral" : "warn"}>{p.id === "openai-compatible" ? "key optional" : "no key"}</Badge>
                                )}
                            </td>
                            <td className="small">
                                {p.id !== "local" &&
                                    (keychain ? (
                                        <span className="key-entry">
                                            <input
                                                type="password"
                                                placeholder="paste an API key"
                                                value={drafts[p.id] ?? ""}
                                                onChange={(e) => setDrafts((d) => ({...d, [p.id]: e.target.value}))}
                                                aria-label={`${p.label} API key`}
                                            />
                                            <button className="button" disabled={!drafts[p.id]?.trim()} onClick={() => void save(p.id, drafts[p.id]!.trim())}>
                                                Save
                                            </button>
                                            {p.keyConfigured && (
                                                <button className="button" onClick={() => void save(p.id, null)}>
                                                    Remove
                                                </button>
                                            )}
                                        </span>
                                    ) : (
                                        <code>{p.keyEnvVars.join(" or ")}</code>
                                    ))}
                            </td>
                        </tr>
                    ))}
                </tbody>
            </table>
        </Card>
    );
}
