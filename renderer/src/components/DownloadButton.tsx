import {useMemo} from "react";
import {useApiAction, useApiQuery} from "../api/hooks.ts";
import {Badge} from "./Badge.tsx";
import {Icon} from "./Icon.tsx";

/** Catalog references ("id:QUANT", lower-cased) of the models already downloaded from the catalog; read once per caller. */
export function useDownloadedCatalogReferences(): ReadonlySet<string> {
    const models = useApiQuery("models.list", {});
    return useMemo(
        () => new Set((models.data ?? []).flatMap((m) => (m.source.kind === "huggingface" && m.source.catalogId ? [m.source.catalogId.toLowerCase()] : []))),
        [models.data]
    );
}

/**
 * Starts downloading one catalog quantization (`id:QUANT`) and opens the Downloads view, where its
 * progress shows. A quantization already downloaded is marked as such instead.
 */
export function DownloadButton({reference, downloaded, label = "Download"}: {reference: string; downloaded: ReadonlySet<string>; label?: string}) {
    const start = useApiAction("downloads.start");
    if (downloaded.has(reference.toLowerCase())) return <Badge tone="good">Downloaded</Badge>;
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
