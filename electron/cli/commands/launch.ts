import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Command} from "commander";
import {AgentError} from "../../core/agents/AgentError.ts";
import {codingAgentIds, codingAgents, locateAgent} from "../../core/agents/codingAgents.ts";
import {launchContext, pickLaunchModel} from "../../core/agents/planLaunch.ts";
import {followRequestLog} from "../utils/requestLog.ts";
import {createCliAppService} from "../utils/withAppService.ts";
import {InvalidArgumentError} from "../../shared/AppError.ts";
import {addEngineSettingsOptions, engineSettingsFrom, type EngineSettingsOptions} from "../utils/engineSettingsOptions.ts";
import {wholeNumber} from "../utils/optionParsers.ts";
import {bold, dim} from "../utils/format.ts";
import type {CodingAgentId} from "../../api/AgentsApi.ts";

interface LaunchOptions extends EngineSettingsOptions {
    model?: string;
    port: number;
    maxOutputTokens?: number;
    requestLog?: string;
}

/** Names people type for the agents. */
const aliases: Record<string, CodingAgentId> = {claude: "claude-code", "claude-code": "claude-code", codex: "codex", opencode: "opencode", aider: "aider"};

export function registerLaunchCommand(program: Command) {
    const command = program
        .command("launch <agent> [agentArgs...]")
        .description(`Serve a local model and run a coding agent on it in this terminal (${codingAgentIds.join(", ")}); serving stops when the agent exits. Agent arguments go after --`)
        .option("--model <id|path>", "the model to serve (default: the recommended downloaded one)");
    addEngineSettingsOptions(command, {contextHelp: "context in tokens (default: what the agent needs, e.g. 32k for Claude Code; capped at the model's trained context)"})
        .option("--port <n>", "TCP port to serve on (default: a free one)", wholeNumber("--port", 0, 65535), 0)
        .option("--max-output-tokens <n>", "cap each answer of the model, through the agent's own setting", wholeNumber("--max-output-tokens", 16))
        .option("--request-log <file>", "append every request the agent sends, as one JSON line, to this file (the terminal is the agent's)")
        .action(async (name: string, agentArgs: string[], options: LaunchOptions) => {
            const id = aliases[name];
            if (!id) throw new InvalidArgumentError(`Unknown agent "${name}". The agents are: ${codingAgentIds.join(", ")} (claude for claude-code).`);
            const agent = codingAgents[id];
            const executable = locateAgent(agent);
            if (!executable) throw new AgentError("AGENT_NOT_INSTALLED", `${agent.label} is not installed (not on PATH nor in its usual places). Install it with: ${agent.install}`);

            const app = await createCliAppService();
            if (options.requestLog) followRequestLog(app, {file: path.resolve(options.requestLog)});
            const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-launch-"));
            let exitCode = 1;
            try {
                const registered = await app["models.list"]({});
                const reference =
                    options.model ??
                    pickLaunchModel(registered, await app["models.recommend"]({contextSize: agent.contextSize}).catch(() => null))?.id ??
                    null;
                if (!reference) throw new InvalidArgumentError("No model is downloaded yet: pull one (agentfit recommend, then agentfit pull <id>) or give --model <path>.");
                const model = await app["models.inspect"]({source: resolvePath(registered, reference)}).catch(() => null);
                const settings = engineSettingsFrom(options);
                const contextSize = launchContext(agent, {name: model?.facts.name ?? reference, trainedContext: model?.facts.contextLength ?? null}, settings.contextSize);
                console.error(dim(`Loading ${reference} with ${contextSize.toLocaleString("en-US")} tokens of context for ${agent.label}…`));
                const status = await app["engine.start"]({model: reference, settings: {...settings, contextSize}, server: {host: "127.0.0.1", port: options.port}});
                const served = status.model!;
                const setup = agent.connect({baseUrl: status.server!.baseUrl, apiKey: "agentfit", model: served.id, contextSize: served.settings.contextSize, maxOutputTokens: options.maxOutputTokens}, configDir);
                for (const file of setup.files) fs.writeFileSync(path.join(configDir, file.path), file.content);
                console.error(`${bold("Serving")} ${served.id} at ${status.server!.baseUrl} · starting ${agent.label} (${executable})`);
                exitCode = await new Promise<number>((resolve) => {
                    const child = spawn(executable, [...setup.args, ...agentArgs], {stdio: "inherit", env: {...process.env, ...setup.env}});
                    // The terminal's Ctrl-C reaches the agent (same process group); AgentFit waits for it to exit.
                    const ignore = () => {};
                    process.on("SIGINT", ignore);
                    child.on("error", (error) => {
                        console.error(`Could not start ${executable}: ${error.message}`);
                        resolve(1);
                    });
                    child.on("close", (code, signal) => {
                        process.off("SIGINT", ignore);
                        resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
                    });
                });
                console.error(dim(`${agent.label} exited (${exitCode}); serving stopped.`));
            } finally {
                await app.dispose();
                fs.rmSync(configDir, {recursive: true, force: true});
            }
            process.exitCode = exitCode;
        });
}

/** A registered model's file, or the reference itself (a path). */
function resolvePath(registered: readonly {id: string; path: string}[], reference: string): string {
    return registered.find((m) => m.id === reference)?.path ?? reference;
}
