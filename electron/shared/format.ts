/**
 * Pure formatting shared by the UI, the CLI and reports, so a number reads the same everywhere.
 * No Node or DOM APIs here: the renderer bundles this file.
 */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** Bytes in binary units (1 GB = 1024³ B, as OS tools and model pages show sizes), one decimal. */
export function formatBytes(bytes: number | null | undefined): string {
    if (bytes == null || !Number.isFinite(bytes)) return "unknown";
    let value = bytes;
    let unit = 0;
    while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${BYTE_UNITS[unit]}`;
}

/** "812 ms", "4.2 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(ms: number | null | undefined): string {
    if (ms == null || !Number.isFinite(ms)) return "unknown";
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    const totalSeconds = Math.round(ms / 1000);
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
    return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

const BACKEND_LABELS: Record<string, string> = {metal: "Metal", cuda: "CUDA", vulkan: "Vulkan", cpu: "CPU"};

/** Display name of a llama.cpp backend id ("cuda" → "CUDA"). */
export function backendLabel(backend: string): string {
    return BACKEND_LABELS[backend] ?? backend;
}

/** Parameter counts as model cards write them: "135M", "7.6B", "30.5B". */
export function formatParameters(count: number | null | undefined): string {
    if (count == null || !Number.isFinite(count)) return "unknown";
    if (count >= 1e9) return `${(count / 1e9).toFixed(count >= 1e11 ? 0 : 1)}B`;
    if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e8 ? 0 : 1)}M`;
    return `${Math.round(count / 1e3)}K`;
}
