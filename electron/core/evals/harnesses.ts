import type {JobOwner} from "../jobs/JobOwner.ts";
import fs from "node:fs";
import path from "node:path";
import type {EvalAgentOutput, EvalConfinePolicy, EvalHarnessId, EvalHarnessSpec} from "../../api/EvalApi.ts";
import {AgentError} from "../agents/AgentError.ts";
import {agentVersion, codingAgents, locateAgent} from "../agents/codingAgents.ts";
import {createAgentSolver} from "./agentSolver.ts";
import type {EvalSolver} from "./EvalSolver.ts";
import {sampleOutputDir} from "./EvalRunner.ts";
import {resolveConfinement} from "./confineAgent.ts";

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

/** The solver of a run's harness: the builtin one, or the recorded agent (found again if its executable moved). */
export function solverForHarness(harness: EvalHarnessSpec | undefined, builtin: EvalSolver, env: NodeJS.ProcessEnv, owner: JobOwner): EvalSolver {
    if (!harness || harness.id === "builtin") return builtin;
    const agent = codingAgents[harness.id];
    const executable = harness.executable && fs.existsSync(harness.executable) ? harness.executable : locateAgent(agent, env);
    if (!executable) throw new AgentError("AGENT_NOT_INSTALLED", `${agent.label} is no longer installed. Install it with: ${agent.install}`);
    return createAgentSolver({agent, executable, owner, ...(harness.confinement ? {confinement: harness.confinement} : {})});
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
