import {useApiAction, useApiQuery} from "../../api/hooks.ts";
import {Badge} from "../../components/Badge.tsx";
import {Icon} from "../../components/Icon.tsx";

/**
 * Starts downloading one catalog quantization (`id:QUANT`) and opens the Downloads view, where its
 * progress shows. A model already registered from that reference is marked as downloaded instead.
 */
export function DownloadButton({reference, label = "Download"}: {reference: string; label?: string}) {
    const models = useApiQuery("models.list", {});
    const start = useApiAction("downloads.start");
    const registered = models.data?.some((m) => m.source.kind === "huggingface" && m.source.catalogId?.toLowerCase() === reference.toLowerCase());
    if (registered) return <Badge tone="good">Downloaded</Badge>;
    return (
        <span className="download-action">
            <button
                type="button"
                className="button small"
                disabled={start.running}
                data-testid="catalog-download"
                onClick={async () => {
                    const job = await start.run({reference});
                    if (job) window.location.hash = "#/downloads";
                }}
            >
                <Icon name="download" size={14} />
                {label}
            </button>
            {start.error && <span className="download-error" role="alert">{start.error.message}</span>}
        </span>
    );
}
