import type {JobOwner} from "../jobs/JobOwner.ts";
import fs from "node:fs";
import path from "node:path";
import type {EvalAgentOutput, EvalConfinePolicy, EvalHarnessId, EvalHarnessSpec, EvalSandboxForwarder} from "../../api/EvalApi.ts";
import {AgentError} from "../agents/AgentError.ts";
import {agentVersion, codingAgents, locateAgent} from "../agents/codingAgents.ts";
import {createAgentSolver} from "./agentSolver.ts";
import type {EvalSolver} from "./EvalSolver.ts";
import {sampleOutputDir} from "./EvalRunner.ts";
import {confinementOfRun, resolveConfinement} from "./confineAgent.ts";

/**
 * A run's harness as it will run: for a coding agent, the executable found, its version and its
 * headless flags (prompt and temporary paths as placeholders) and the confinement it will run under,
 * recorded with the run. Throws AGENT_NOT_INSTALLED, saying how to install it, when the agent is not
 * on this machine, and EVAL_CONFINEMENT_UNAVAILABLE when confinement is required but impossible.
 * `programsFolder`: where the sandbox's native forwarder is built (AppPaths.programs).
 */
export async function resolveHarness(id: EvalHarnessId, env: NodeJS.ProcessEnv, appVersion: string, programsFolder: string, confine: EvalConfinePolicy = "auto"): Promise<EvalHarnessSpec> {
    if (id === "builtin") return {id, version: appVersion, executable: null, flags: []};
    const agent = codingAgents[id];
    const executable = locateAgent(agent, env);
    if (!executable)
        throw new AgentError("AGENT_NOT_INSTALLED", `${agent.label} is not installed (not on PATH nor in its usual places). Install it with: ${agent.install}`);
    const flags = agent.headless({baseUrl: "<proxy>/v1", apiKey: "<key>", model: "<model>", contextSize: agent.contextSize}, "<config>", {
        prompt: "<prompt>",
        maxTurns: 0,
        testCommand: "<test command>",
        targetFile: "<target file>"
    }).args;
    return {id, version: await agentVersion(executable), executable, flags, confinement: await resolveConfinement(confine, env, programsFolder)};
}

/**
 * The harness a resumed run goes on with: its agent found again (AGENT_NOT_INSTALLED) and confined
 * as recorded — a confined run resumes confined or refuses (EVAL_CONFINEMENT_UNAVAILABLE). The
 * sandbox forwarder is resolved again, and when this machine now gives another than the recorded one
 * (no compiler left to build the native one after an update, a removed data folder bin/,
 * AGENTFIT_SANDBOX_FORWARDER changed) the run goes on with it: the harness returned records it in
 * place of the old one, and the log says so, naming the run (`runLabel`, e.g. "Run #12"). The
 * recorded harness itself when nothing changed.
 */
export async function harnessToResume(recorded: EvalHarnessSpec, env: NodeJS.ProcessEnv, appVersion: string, programsFolder: string, runLabel = "This run"): Promise<EvalHarnessSpec> {
    if (recorded.id === "builtin") return recorded;
    const was = recorded.confinement;
    const now = (await resolveHarness(recorded.id, env, appVersion, programsFolder, was?.mode === "bwrap" ? "required" : "off")).confinement;
    // Runs recorded before there was a choice used the Node forwarder.
    if (was?.mode !== "bwrap" || now?.mode !== "bwrap" || (was.forwarder ?? "node") === now.forwarder) return recorded;
    console.error(`[agentfit] ${runLabel}: its earlier samples started through the ${forwarderName(was.forwarder)} sandbox forwarder; it goes on with the ${forwarderName(now.forwarder)} one, as its record now says.`);
    return {...recorded, confinement: {...was, forwarder: now.forwarder}};
}

const forwarderName = (forwarder: EvalSandboxForwarder | undefined) => (forwarder === "native" ? "native" : "Node");

/**
 * The solver of a run's harness: the builtin one, or the recorded agent (found again if its
 * executable moved), confined as the run records, through the forwarder its record names
 * (confinementOfRun, EVAL_SANDBOX_FORWARDER_UNAVAILABLE when this machine cannot give it).
 */
export async function solverForHarness(harness: EvalHarnessSpec | undefined, builtin: EvalSolver, env: NodeJS.ProcessEnv, owner: JobOwner, programsFolder: string): Promise<EvalSolver> {
    if (!harness || harness.id === "builtin") return builtin;
    const agent = codingAgents[harness.id];
    const executable = harness.executable && fs.existsSync(harness.executable) ? harness.executable : locateAgent(agent, env);
    if (!executable) throw new AgentError("AGENT_NOT_INSTALLED", `${agent.label} is no longer installed. Install it with: ${agent.install}`);
    return createAgentSolver({agent, executable, owner, ...(harness.confinement ? {confinement: await confinementOfRun(harness.confinement, programsFolder, env)} : {})});
}

/** A sample's agent output as the harness kept it; null when none was kept (the builtin harness). */
export function readAgentOutput(outputDir: string | undefined, runId: number, epoch: number, harness: EvalHarnessSpec | undefined): EvalAgentOutput | null {
    if (!outputDir || !harness || harness.id === "builtin") return null;
    const dir = sampleOutputDir(outputDir, runId, epoch);
    try {
        const info = JSON.parse(fs.readFileSync(path.join(dir, "agent.json"), "utf8")) as {args: string[]; exitCode: number | null; timedOut: boolean};
        const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
        return {agent: codingAgents[harness.id].label, version: harness.version, args: info.args, exitCode: info.exitCode, timedOut: info.timedOut, stdout: read("stdout.txt"), stderr: read("stderr.txt")};
    } catch {
        return null;
    }
}
