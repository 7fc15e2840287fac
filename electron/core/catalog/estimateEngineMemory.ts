import type {FitSettings, HardwareProfile} from "../../api/ModelsApi.ts";
import type {GgufFacts} from "../../api/GgufFacts.ts";
import {engineProcessBytes, estimateFit} from "./estimateFit.ts";
import {shapeFromFacts} from "./inspectModel.ts";

/** A machine with room for anything and no GPU: the RAM a CPU load needs does not depend on the machine. */
const anyCpuMachine: HardwareProfile = {
    label: "CPU",
    hardwareKey: null,
    backend: "cpu",
    ramBytes: 2 ** 50,
    ramReserveBytes: 0,
    gpuName: null,
    vramBytes: 0,
    unifiedMemory: false,
    cpuBandwidthBytesPerSecond: 1,
    gpuBandwidthBytesPerSecond: 0,
    bandwidthSource: "",
    bandwidthKind: "peak",
    bandwidthUnderLoad: false,
    bandwidthMeasurement: null,
    cpuThreads: 1,
    cpuFlops: 1,
    gpuFlops: 0
};

/**
 * AgentFit's estimate of the RAM a CPU load of this file adds to the engine process (its baseline
 * left out, as the engine measures growth): right after loading (`atLoadBytes`, what the engine
 * measures after its one-token warm-up) and once prompts have filled the context (`peakBytes`,
 * what the fit counts), the difference being the compute workspace of a full batch at full depth.
 */
export function estimateEngineMemory(facts: GgufFacts, settings: Required<FitSettings>): {atLoadBytes: number; peakBytes: number} {
    const shape = shapeFromFacts(facts);
    const fit = estimateFit(shape, anyCpuMachine, settings);
    const compute = fit.parts.find((p) => p.kind === "compute")?.ramBytes ?? 0;
    const peakBytes = fit.ramNeededBytes - engineProcessBytes;
    return {atLoadBytes: peakBytes - compute + 4 * shape.architecture.vocabularySize, peakBytes};
}
