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

/**
 * Seconds left of a job from the share done so far (0–1) and the seconds it has run: extrapolated
 * once a little is done (2%), else what is left of an estimate, else null. One rule for every
 * progress view (the guided plan's steps, eval runs, benchmarks).
 */
export function remainingSeconds(elapsedSeconds: number, done: number | null, estimateSeconds: number | null = null): number | null {
    if (done !== null && done > 0.02) return Math.round((elapsedSeconds * (1 - done)) / done);
    if (estimateSeconds !== null) return Math.max(0, Math.round(estimateSeconds - elapsedSeconds));
    return null;
}

/** The time left of a job, written one way everywhere it shows: "ETA 1 min 20 s"; `unknown` when there is none yet. */
export function formatEta(etaSeconds: number | null, unknown = "unknown"): string {
    return `ETA ${etaSeconds === null ? unknown : formatDuration(etaSeconds * 1000)}`;
}

/** "Elapsed 1 min 20 s · ETA 3 min 05 s"; the ETA reads "after the first results" until one is known. */
export function formatElapsedAndEta(elapsedSeconds: number, etaSeconds: number | null, unknownEta = "after the first results"): string {
    return `Elapsed ${formatDuration(elapsedSeconds * 1000)} · ${formatEta(etaSeconds, unknownEta)}`;
}

const BACKEND_LABELS: Record<string, string> = {metal: "Metal", cuda: "CUDA", vulkan: "Vulkan", cpu: "CPU"};

/** Display name of a llama.cpp backend id ("cuda" → "CUDA"). */
export function backendLabel(backend: string): string {
    return BACKEND_LABELS[backend] ?? backend;
}

/** Parameter count the way model cards write it: "135M", "7.6B", "30.5B". */
export function formatParameterCount(count: number | null | undefined): string {
    if (count == null || !Number.isFinite(count)) return "unknown";
    if (count >= 1e9) return `${(count / 1e9).toFixed(count >= 1e11 ? 0 : 1)}B`;
    if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e8 ? 0 : 1)}M`;
    if (count >= 1e3) return `${Math.round(count / 1e3)}K`;
    return String(count);
}

/** Download speed: "12.4 MB/s". */
export function formatSpeed(bytesPerSecond: number | null | undefined): string {
    return bytesPerSecond == null ? "unknown" : `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * Where a transfer stands: "1.2 GB of 4.1 GB · 35.2 MB/s · ETA 1 min 20 s". A view that shows the
 * ETA in a line of its own (the guided plan's step) passes no `etaSeconds`, so it is written once.
 */
export function formatTransfer(progress: {downloadedBytes: number; totalBytes: number | null; bytesPerSecond: number | null; etaSeconds?: number | null}): string {
    const parts = [progress.totalBytes != null ? `${formatBytes(progress.downloadedBytes)} of ${formatBytes(progress.totalBytes)}` : `${formatBytes(progress.downloadedBytes)}`];
    if (progress.bytesPerSecond != null) parts.push(formatSpeed(progress.bytesPerSecond));
    if (progress.etaSeconds != null) parts.push(formatEta(progress.etaSeconds));
    return parts.join(" · ");
}

/** "1 thread", "4 threads". */
export function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A token count as contexts are named, in binary thousands: 32768 → "32k", 131072 → "128k". */
export function formatKTokens(tokens: number): string {
    return `${Math.round(tokens / 1024)}k`;
}

/** The file a run's model reference resolved to: "/models/a.gguf · SHA-256 1f2e…" (the reference first when it differs). */
export function formatModelFile(file: {reference: string; path: string; sha256: string | null}): string {
    const named = file.reference === file.path ? file.path : `${file.reference} → ${file.path}`;
    return file.sha256 ? `${named} · SHA-256 ${file.sha256}` : named;
}

/** "×24.10, time ∝ depth^1.45": a calibrated context term's factor at 4k and how its time grows with depth (linearly, as modelled, at exponent 0). */
export function describeContextTerm(term: {factor: number; exponent: number}): string {
    return `×${term.factor.toFixed(2)}${term.exponent > 0 ? `, time ∝ depth^${(1 + term.exponent).toFixed(2)}` : ""}`;
}
