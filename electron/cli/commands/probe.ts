import type {Command} from "commander";
import type {HardwareSnapshot} from "../../api/HardwareApi.ts";
import type {BandwidthStatus} from "../../api/ModelsApi.ts";
import {bandwidthUnderLoadWarning, describeBandwidthMeasurement, formatBandwidth} from "../../shared/bandwidthFormat.ts";
import {backendLabel} from "../../shared/format.ts";
import {bold, dim, formatBytes, keyValues, yellow} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";

export function registerProbeCommand(program: Command) {
    program
        .command("probe")
        .description("Probe this machine (CPU, RAM, GPUs, llama.cpp backend, disk) and save the snapshot")
        .option("--json", "print the snapshot as JSON")
        .action(async (options: {json?: boolean}) => {
            const {snapshot, bandwidth} = await withAppService(async (app) => {
                const snapshot = await app["hardware.probe"]({});
                return {snapshot, bandwidth: await app["models.bandwidth"]({})};
            });
            if (options.json) console.log(JSON.stringify({...snapshot, bandwidth}, null, 2));
            else console.log(`${formatSnapshot(snapshot)}\n\n${formatBandwidthStatus(bandwidth)}`);
        });
}

/** The memory bandwidth predictions use, with the flag when it was measured under load. */
export function formatBandwidthStatus(b: BandwidthStatus): string {
    const warning = bandwidthUnderLoadWarning(b);
    const figure = b.chosen ? describeBandwidthMeasurement(b.chosen) : formatBandwidth(b.bytesPerSecond);
    const lines = [keyValues([["Memory bandwidth", `${figure}  ${dim(b.source)}`]])];
    if (warning) lines.push(yellow(`  ! ${warning}`));
    if (!b.chosen && b.kind === "peak") lines.push(dim("  (not measured yet: agentfit recommend measures it on first use)"));
    return lines.join("\n");
}

export function formatSnapshot(s: HardwareSnapshot): string {
    const lines: string[] = [];
    lines.push(bold(`AgentFit hardware probe`) + dim(`  #${s.id}  ${s.takenAt}  (${s.durationMs} ms)`));
    lines.push("");
    lines.push(keyValues([
        ["System", `${s.os.distro} (${s.os.platform} ${s.os.release}, ${s.os.arch})  host ${s.os.hostname}`],
        ["CPU", `${s.cpu.brand}${s.cpu.manufacturer && !s.cpu.brand.includes(s.cpu.manufacturer) ? ` (${s.cpu.manufacturer})` : ""}`],
        ["Cores", `${s.cpu.physicalCores} physical, ${s.cpu.logicalCores} logical${s.cpu.speedGHz ? `, ${s.cpu.speedGHz.toFixed(2)} GHz` : ""}`],
        ["Instruction sets", s.cpu.instructionSets.join(" ") || "unknown"],
        ["RAM", `${formatBytes(s.memory.totalBytes)} total, ${formatBytes(s.memory.availableBytes)} available, ${formatBytes(s.memory.freeBytes)} free`],
        ["Swap", s.memory.swapTotalBytes > 0 ? `${formatBytes(s.memory.swapTotalBytes)} total, ${formatBytes(s.memory.swapFreeBytes)} free` : "none"],
        ["Backend", `${backendLabel(s.backend.selected)}  ${dim(s.backend.reason)}`],
        ["Model storage", s.disk ? `${formatBytes(s.disk.freeBytes)} free of ${formatBytes(s.disk.totalBytes)}  ${dim(s.disk.path)}` : "unknown"]
    ]));
    lines.push("");
    if (s.gpus.length === 0) lines.push(`  ${dim("GPUs")}  none found`);
    for (const [index, gpu] of s.gpus.entries()) {
        const memory = gpu.unifiedMemory
            ? `unified memory${gpu.vramTotalBytes ? `, ${formatBytes(gpu.vramTotalBytes)} usable by the GPU` : ""}`
            : gpu.vramTotalBytes != null
              ? `${formatBytes(gpu.vramTotalBytes)} VRAM${gpu.vramFreeBytes != null ? `, ${formatBytes(gpu.vramFreeBytes)} free` : ""}`
              : "VRAM unknown";
        const kind = gpu.integrated == null ? "" : gpu.integrated ? "integrated, " : "discrete, ";
        lines.push(`  ${dim(`GPU ${index + 1}`)}  ${gpu.vendor} ${gpu.model}  (${kind}${memory})`);
    }
    if (s.issues.length > 0) {
        lines.push("");
        lines.push(yellow("  Could not read:"));
        for (const issue of s.issues) lines.push(`    ${issue.source}: ${issue.message}`);
    }
    return lines.join("\n");
}
