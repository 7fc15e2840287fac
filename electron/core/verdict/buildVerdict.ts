import path from "node:path";
import type {BenchLatestResult} from "../../api/BenchApi.ts";
import type {EndpointBenchRun} from "../../api/EndpointsApi.ts";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import type {ModelLoadRecord} from "../../api/EngineApi.ts";
import type {EvalModelResult, ServedModelFacts} from "../../api/EvalApi.ts";
import {harnessAnswers} from "./harnessAnswers.ts";
import type {CatalogModel, FitSettings, HardwareProfile, InspectReport, RecommendationReport, RecommendRequest} from "../../api/ModelsApi.ts";
import type {
    LocalModelVerdict,
    QuantizationLadder,
    Verdict,
    VerdictCloudModel,
    VerdictEvalEvidence,
    VerdictLevel,
    VerdictMemoryEvidence,
    VerdictSpeedEvidence,
    VerdictThresholds
} from "../../api/VerdictApi.ts";
import {agentTurnTimes} from "../../shared/agentTurn.ts";
import {formatCost, formatPercent} from "../../shared/evalFormat.ts";
import {formatParameterCount} from "../../shared/format.ts";
import {formatSeconds, formatTps} from "../../shared/verdictFormat.ts";
import {levelLabels, levelLegend} from "../../shared/verdictLevels.ts";
import {modelDisplayName} from "../gguf/ggufFileNames.ts";
import {memoryEvidenceOf} from "../catalog/recommendModels.ts";
import {wilsonInterval} from "../evals/evalStatistics.ts";
import {judgeModel, type ServedModelEvidence} from "../rules/judgeModel.ts";
import {whatIfChanges} from "./whatIfChanges.ts";
import {judgeServers} from "./judgeServers.ts";

/** Everything a verdict reads; the API gathers it from the store and the other domains. */
export interface VerdictInputs {
    thresholds: VerdictThresholds;
    /** The eval task to judge on. Default: the task with the most samples. */
    task?: string;
    /** Eval results of every task (`eval.results`). */
    evalResults: readonly EvalModelResult[];
    /** The newest bench results per file × settings × shape, of this machine. */
    bench: readonly BenchLatestResult[];
    /** Recorded model loads, newest first. */
    loads: readonly ModelLoadRecord[];
    registry: readonly RegisteredModel[];
    catalog: readonly CatalogModel[];
    /** This machine. */
    hardware: HardwareProfile;
    /** The file a local model reference (path or registered id) loads, or null when it cannot be found. */
    locate(reference: string): string | null;
    /** Header facts, fit and predicted speed of a local GGUF on this machine; null when it cannot be read. */
    inspect(file: string, settings: FitSettings): Promise<InspectReport | null>;
    /** Recommendations for this or a what-if machine (`models.recommend`). */
    recommend(request: RecommendRequest): Promise<RecommendationReport>;
    /** Endpoint benchmark runs (servers), judged apart from this machine. Default none. */
    endpointRuns?: readonly EndpointBenchRun[];
    now?: Date;
}

interface PooledEval extends VerdictEvalEvidence {
    meanInputTokens: number | null;
    meanOutputTokens: number | null;
}

const levelOrder: Record<VerdictLevel, number> = {usable: 0, almost: 1, untested: 2, no: 3, "no-fit": 4};

export async function buildVerdict(inputs: VerdictInputs): Promise<Verdict> {
    const t = inputs.thresholds;
    const tasks = tasksBySamples(inputs.evalResults);
    const task = inputs.task ?? tasks[0] ?? null;
    // The main answer reads AgentFit's own harness; each coding agent gets its own line (harnesses).
    const onTask = inputs.evalResults.filter((r) => r.task === task && r.harness === "builtin");

    // Local results keyed by the file they load (or provider:model@host on a local server), cloud ones by provider:model.
    const localEvals = new Map<string, EvalModelResult[]>();
    const cloudEvals = new Map<string, EvalModelResult[]>();
    for (const result of onTask) {
        if (result.location !== "cloud") {
            const key = result.location === "local-server" ? serverKey(result) : (inputs.locate(result.model) ?? result.model);
            localEvals.set(key, [...(localEvals.get(key) ?? []), result]);
        } else {
            const key = `${result.provider}:${result.model}`;
            cloudEvals.set(key, [...(cloudEvals.get(key) ?? []), result]);
        }
    }
    const benchByPath = new Map<string, BenchLatestResult[]>();
    for (const entry of inputs.bench) benchByPath.set(entry.result.model.path, [...(benchByPath.get(entry.result.model.path) ?? []), entry]);

    const cloud: VerdictCloudModel[] = [...cloudEvals.entries()]
        .map(([key, results]) => {
            const evidence = pool(results, task!);
            const first = results[0]!;
            const level: VerdictCloudModel["level"] =
                evidence.successRate >= t.usableSuccessRate && evidence.samples >= t.minRuns ? "usable" : evidence.successRate >= t.almostSuccessRate ? "almost" : "no";
            return {key, provider: first.provider, model: first.model, label: `${first.provider}:${first.model}`, eval: stripPooled(evidence), level};
        })
        .sort((a, b) => b.eval.successRate - a.eval.successRate || (a.eval.costPerRun ?? Infinity) - (b.eval.costPerRun ?? Infinity));
    const bestCloud = cloud[0] ?? null;

    const keys = [...new Set([...localEvals.keys(), ...benchByPath.keys()])];
    const local: LocalModelVerdict[] = [];
    for (const key of keys) {
        const evals = localEvals.get(key) ?? [];
        const bench = benchByPath.get(key) ?? [];
        const served = evals[0]?.location === "local-server" ? evals[0] : undefined;
        const file = !served && path.isAbsolute(key) ? key : null;
        const report = file ? await inspectSafely(inputs, file, {contextSize: t.contextSize}) : null;
        const registered = file ? inputs.registry.find((m) => m.path === file || m.files.some((f) => f.path === file)) : undefined;
        const catalogModelId = (registered?.source.kind === "huggingface" ? registered.source.catalogId?.split(":")[0] : null) ?? bench[0]?.result.model.catalogModelId ?? report?.catalogMatch?.modelId ?? null;
        const catalogModel = catalogModelId ? inputs.catalog.find((m) => m.id === catalogModelId) : undefined;
        const facts = report?.facts;
        const quantization = facts?.quantization ?? evals[0]?.quantization ?? served?.server?.quantization ?? bench[0]?.result.model.quantization ?? null;
        const parameterCount = facts?.parameterCount ?? bench[0]?.result.model.parameterCount ?? null;
        // One name per model: the registry's name, else the file name without extension (a server's model id).
        const name = registered?.name ?? (file ? modelDisplayName(file) : served ? served.model : key);
        const familyLabel = catalogModel?.name ?? stripQuantization(name);
        const family = catalogModelId ?? (facts ? `${facts.architecture}|${stripQuantization(name).toLowerCase()}|${parameterCount}` : stripQuantization(name).toLowerCase());
        const evalEvidence = evals.length ? pool(evals, task!) : null;
        const memory = report ? memoryEvidence(report, inputs.loads, file!, t.contextSize) : null;
        const speed = speedEvidence(bench, evalEvidence, report);
        const server: ServedModelEvidence | null = served?.server ? {facts: served.server, host: hostOf(served.baseUrl)} : served ? {facts: unreportedServer, host: hostOf(served.baseUrl)} : null;
        const judged = judgeModel({memory, server, speed, eval: evalEvidence ? stripPooled(evalEvidence) : null}, t);
        const details = [
            facts?.name && facts.name !== name ? `GGUF name "${facts.name}"` : null,
            catalogModel ? `catalog: ${catalogModel.name}` : null,
            parameterCount ? `${formatParameterCount(parameterCount)} parameters` : null,
            served ? `served by ${served.server?.server ?? "an OpenAI-compatible server"} at ${hostOf(served.baseUrl)}` : null
        ].filter((d): d is string => d !== null);
        local.push({
            key,
            label: quantization && !name.toUpperCase().includes(quantization.toUpperCase()) ? `${name} · ${quantization}` : name,
            detail: details.length ? details.join(" · ") : null,
            location: served ? "local-server" : "engine",
            server: served ? {...(served.server ?? unreportedServer), baseUrl: served.baseUrl ?? ""} : null,
            family,
            familyLabel,
            quantization,
            bitsPerWeight: facts && facts.parameterCount > 0 ? (facts.tensorBytes * 8) / facts.parameterCount : null,
            path: file,
            fileBytes: registered?.sizeBytes ?? bench[0]?.result.model.fileBytes ?? facts?.expectedFileBytes ?? null,
            parameterCount,
            catalogModelId,
            verdict: judged.verdict,
            headline: judged.headline,
            criteria: judged.criteria,
            memory,
            speed,
            eval: evalEvidence ? stripPooled(evalEvidence) : null,
            versusCloud: bestCloud
                ? {key: bestCloud.key, label: bestCloud.label, successRate: bestCloud.eval.successRate, costPerRun: bestCloud.eval.costPerRun, meanWallMs: bestCloud.eval.meanWallMs}
                : null
        });
    }
    local.sort(
        (a, b) =>
            levelOrder[a.verdict] - levelOrder[b.verdict] ||
            (b.eval?.successRate ?? -1) - (a.eval?.successRate ?? -1) ||
            (b.speed.generationTps ?? 0) - (a.speed.generationTps ?? 0)
    );

    const ladders: QuantizationLadder[] = [];
    for (const entry of local) {
        const ladder = ladders.find((l) => l.family === entry.family);
        if (ladder) ladder.entries.push(entry.key);
        else ladders.push({family: entry.family, label: entry.familyLabel, entries: [entry.key]});
    }
    const bits = new Map(local.map((l) => [l.key, l.bitsPerWeight ?? Infinity]));
    for (const ladder of ladders) ladder.entries.sort((a, b) => bits.get(a)! - bits.get(b)!);
    ladders.sort((a, b) => b.entries.length - a.entries.length);

    const answer = answerFor(local, cloud, t);
    const changes = await whatIfChanges({
        thresholds: t,
        hardware: inputs.hardware,
        catalog: inputs.catalog,
        local,
        answer,
        task,
        recommend: inputs.recommend,
        inspect: (file, settings) => inspectSafely(inputs, file, settings)
    });

    return {
        generatedAt: (inputs.now ?? new Date()).toISOString(),
        machine: {
            label: inputs.hardware.label,
            hardwareKey: inputs.hardware.hardwareKey,
            ramBytes: inputs.hardware.ramBytes,
            vramBytes: inputs.hardware.vramBytes,
            gpuName: inputs.hardware.gpuName,
            backend: inputs.hardware.backend,
            cpuThreads: inputs.hardware.cpuThreads,
            bandwidth: {
                bytesPerSecond: inputs.hardware.vramBytes > 0 ? inputs.hardware.gpuBandwidthBytesPerSecond : inputs.hardware.cpuBandwidthBytesPerSecond,
                source: inputs.hardware.bandwidthSource,
                underLoad: inputs.hardware.bandwidthUnderLoad,
                chosen: inputs.hardware.bandwidthMeasurement
            }
        },
        task,
        tasks,
        thresholds: t,
        legend: levelLegend(t, "verdict"),
        answer,
        local,
        cloud,
        ladders,
        changes,
        harnesses: harnessAnswers(inputs.evalResults, task, t),
        servers: judgeServers(
            inputs.endpointRuns ?? [],
            (model) => {
                const evals = onTask.filter((r) => r.provider === "openai-compatible" && r.model === model);
                return evals.length ? stripPooled(pool(evals, task!)) : null;
            },
            t
        )
    };
}

function tasksBySamples(results: readonly EvalModelResult[]): string[] {
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.task, (counts.get(r.task) ?? 0) + r.stats.samples);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([task]) => task);
}

async function inspectSafely(inputs: VerdictInputs, file: string, settings: FitSettings): Promise<InspectReport | null> {
    try {
        return await inputs.inspect(file, settings);
    } catch {
        return null;
    }
}

/** One model's results on one task, pooled over runs and system prompts (samples add up; means are weighted by samples). */
function pool(results: readonly EvalModelResult[], task: string): PooledEval {
    const samples = results.reduce((sum, r) => sum + r.stats.samples, 0);
    const successes = results.reduce((sum, r) => sum + r.stats.successes, 0);
    const strict = results.reduce((sum, r) => sum + r.stats.strictSuccesses, 0);
    const weighted = (pick: (r: EvalModelResult) => number | null): number | null => {
        const values = results.map((r) => ({value: pick(r), weight: r.stats.samples}));
        if (values.some((v) => v.value === null)) return null;
        return values.reduce((sum, v) => sum + v.value! * v.weight, 0) / samples;
    };
    const failureModes: VerdictEvalEvidence["failureModes"] = {};
    for (const r of results) for (const [mode, count] of Object.entries(r.stats.failureModes)) failureModes[mode as keyof typeof failureModes] = (failureModes[mode as keyof typeof failureModes] ?? 0) + count!;
    return {
        task,
        samples,
        successes,
        successRate: successes / samples,
        interval: wilsonInterval(successes, samples),
        strictRate: strict / samples,
        meanTurns: weighted((r) => r.stats.meanTurns),
        meanWallMs: weighted((r) => r.stats.meanWallMs),
        costPerRun: weighted((r) => r.stats.costPerRun),
        energyWhPerRun: weighted((r) => r.stats.energyWhPerRun),
        outputTokensPerSecond: weighted((r) => r.stats.outputTokensPerSecond),
        failureModes,
        runIds: results.flatMap((r) => r.runIds).sort((a, b) => a - b),
        meanInputTokens: weighted((r) => r.stats.meanInputTokens),
        meanOutputTokens: weighted((r) => r.stats.meanOutputTokens)
    };
}

function stripPooled({meanInputTokens: _i, meanOutputTokens: _o, ...rest}: PooledEval): VerdictEvalEvidence {
    return rest;
}

/** What a local server that answered none of AgentFit's metadata requests is known by. */
const unreportedServer: ServedModelFacts = {server: "openai-compatible", quantization: null, trainedContextSize: null, contextSize: null, sources: []};

/** One local-server model: provider, model id and the server's host, so two servers' models of the same name stay apart. */
function serverKey(result: EvalModelResult): string {
    return `${result.provider}:${result.model}@${hostOf(result.baseUrl)}`;
}

function hostOf(baseUrl: string | null): string {
    try {
        return baseUrl ? new URL(baseUrl).host : "?";
    } catch {
        return baseUrl ?? "?";
    }
}

function memoryEvidence(report: InspectReport, loads: readonly ModelLoadRecord[], file: string, contextSize: number): VerdictMemoryEvidence {
    const load = loads.find((l) => l.modelPath === file && l.outcome === "loaded" && l.memory);
    return {
        ...memoryEvidenceOf(report.fit, report.facts.contextLength),
        contextSize,
        measured: load
            ? {residentBytes: load.memory!.residentBytes, vramBytes: load.memory!.vramBytes, contextSize: load.settings?.contextSize ?? null, loadedAt: load.loadedAt, loadId: load.id}
            : null
    };
}

/**
 * Speed from the benchmark where it measured this file (the settings with the fastest generation),
 * otherwise from the eval's own timings; the time per turn prefers the benchmark's agent workload,
 * then the eval's turns, then an estimate from the measured pp and tg.
 */
function speedEvidence(bench: readonly BenchLatestResult[], evalEvidence: PooledEval | null, report: InspectReport | null): VerdictSpeedEvidence {
    const groups = new Map<string, BenchLatestResult[]>();
    for (const entry of bench) {
        const key = JSON.stringify(entry.result.requested);
        groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    const deepestTg = (entries: BenchLatestResult[]) =>
        entries.filter((e) => e.result.kind === "tg" && e.result.avgTs !== null).sort((a, b) => b.result.depth - a.result.depth)[0];
    const chosen = [...groups.values()].sort((a, b) => (deepestTg(b)?.result.avgTs ?? 0) - (deepestTg(a)?.result.avgTs ?? 0))[0] ?? [];
    const tg = deepestTg(chosen);
    const pp = chosen.filter((e) => e.result.kind === "pp" && e.result.avgTs !== null).sort((a, b) => a.result.depth - b.result.depth)[0];
    const ttft = chosen.find((e) => e.result.kind === "ttft" && e.result.timeToFirstTokenMs.length > 0);
    const agent = chosen.find((e) => e.result.kind === "agent" && e.result.agentTurns.length > 0);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

    const generationTps = tg?.result.avgTs ?? evalEvidence?.outputTokensPerSecond ?? null;
    let turnSeconds: number | null = null;
    let turnSource: VerdictSpeedEvidence["turnSource"] = null;
    if (agent) {
        turnSeconds = mean(agent.result.agentTurns.map((turn) => turn.totalMs)) / 1000;
        turnSource = "bench-agent";
    } else if (evalEvidence?.meanWallMs != null && evalEvidence.meanTurns) {
        turnSeconds = evalEvidence.meanWallMs / evalEvidence.meanTurns / 1000;
        turnSource = "eval";
    } else if (pp?.result.avgTs && tg?.result.avgTs) {
        // The same agent turn the predictions use, with this file's measured speeds.
        turnSeconds = agentTurnTimes(pp.result.avgTs, tg.result.avgTs)!.agentTurnSeconds;
        turnSource = "estimated";
    }
    const settings = chosen[0]?.result.settings ?? null;
    const binaries = new Set(chosen.map((e) => e.engine?.binary).filter((b) => b !== undefined));
    const measuredAt = chosen.map((e) => e.result.measuredAt).sort().at(-1) ?? null;
    return {
        promptTps: pp?.result.avgTs ?? null,
        generationTps,
        generationSource: tg ? "bench" : generationTps !== null ? "eval" : null,
        generationDepth: tg?.result.depth ?? null,
        timeToFirstTokenMs: ttft ? mean(ttft.result.timeToFirstTokenMs) : null,
        turnSeconds,
        turnSource,
        predictedGenerationTps: report?.speed.generationAtDepthTokensPerSecond ?? null,
        predictedTurnSeconds: report?.speed.agentTurnSeconds ?? null,
        settings: settings
            ? `${settings.threads} thread${settings.threads === 1 ? "" : "s"}, ${settings.gpuLayers} GPU layers, ${settings.kvCacheType} KV${settings.flashAttention ? ", flash attention" : ""}`
            : null,
        binary: binaries.size > 1 ? "mixed" : ([...binaries][0] ?? null),
        benchRunIds: [...new Set(chosen.map((e) => e.runId))].sort((a, b) => a - b),
        measuredAt
    };
}

function stripQuantization(name: string): string {
    return name.replace(/[-_.](?:I?Q\d[\w]*|F16|F32|BF16|MXFP4)$/i, "") || name;
}

function answerFor(local: readonly LocalModelVerdict[], cloud: readonly VerdictCloudModel[], t: VerdictThresholds): Verdict["answer"] {
    const bestCloud = cloud[0];
    const cloudLine = bestCloud
        ? `Cloud, same eval: ${bestCloud.label} refactors ${formatPercent(bestCloud.eval.successRate)} (${bestCloud.eval.successes}/${bestCloud.eval.samples}) at ${formatCost(bestCloud.eval.costPerRun)} per run${
              bestCloud.eval.meanWallMs !== null ? `, ${formatSeconds(bestCloud.eval.meanWallMs / 1000)} per run` : ""
          }.`
        : "No cloud model has run the same eval yet: run one to compare accuracy and cost.";
    if (local.length === 0)
        return {
            verdict: "untested",
            headline: "Nothing measured on this machine yet: evaluate a local model to get the answer.",
            evidence: [cloudLine],
            best: null
        };
    // The machine's answer is its best tested model; untested ones only answer when nothing was tested.
    const best = (["usable", "almost", "no", "no-fit", "untested"] as VerdictLevel[]).map((level) => local.find((l) => l.verdict === level)).find(Boolean)!;
    const untested = local.filter((l) => l.verdict === "untested").length;
    const evidence = [
        ...best.criteria.map((c) => `${c.label}: ${c.value}${c.status === "unknown" ? "" : ` (${c.status})`}`),
        cloudLine,
        `${local.length} local model${local.length === 1 ? "" : "s"} tried: ${countBy(local)}.`,
        ...(untested > 0 && best.verdict !== "untested" ? [`${untested} measured but not evaluated yet: the eval could still change the answer.`] : [])
    ];
    const rate = best.eval ? formatPercent(best.eval.successRate) : "–";
    const speed = `${formatTps(best.speed.generationTps)}, ${formatSeconds(best.speed.turnSeconds)} per turn`;
    const headline = {
        usable: `Yes — ${best.label} is a usable coding agent on this machine: ${rate} on the refactor eval, ${speed}.`,
        almost: `Almost — ${best.label} comes closest: ${best.headline.replace(/^Almost: /, "")}`,
        untested: `Not yet known — ${best.label} fits and runs here but has not been evaluated; run the refactor eval (${t.minRuns} runs).`,
        no: `No — none of the local models tried here is a usable coding agent. Closest: ${best.label}, but ${best.headline.replace(/^No: /, "")}`,
        "no-fit": `No — none of the local models tried here is a usable coding agent. Closest: ${best.label}, but it doesn't fit: ${best.headline.replace(/^Doesn't fit: /, "")}`
    }[best.verdict];
    return {verdict: best.verdict === "no-fit" ? "no" : best.verdict, headline, evidence, best: best.key};
}

function countBy(local: readonly LocalModelVerdict[]): string {
    const counts = new Map<VerdictLevel, number>();
    for (const l of local) counts.set(l.verdict, (counts.get(l.verdict) ?? 0) + 1);
    return (["usable", "almost", "untested", "no", "no-fit"] as VerdictLevel[])
        .filter((level) => counts.has(level))
        .map((level) => `${counts.get(level)} ${levelLabels[level].toLowerCase()}`)
        .join(", ");
}
