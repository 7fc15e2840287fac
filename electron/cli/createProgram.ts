import {Command} from "commander";
import {appVersion} from "../core/appVersion.ts";
import {registerEvalCommand} from "./commands/eval.ts";
import {registerModelCommands} from "./commands/models.ts";
import {registerProbeCommand} from "./commands/probe.ts";
import {registerPullCommand} from "./commands/pull.ts";
import {registerServeCommand} from "./commands/serve.ts";
import {registerCatalogCommand} from "./commands/catalog.ts";
import {registerInspectCommand} from "./commands/inspect.ts";
import {registerRecommendCommand} from "./commands/recommend.ts";
import {registerWebCommand} from "./commands/web.ts";
import {registerVerdictCommands} from "./commands/verdict.ts";
import {registerBenchCommand} from "./commands/bench.ts";
import {registerEngineCommand} from "./commands/engine.ts";
import {registerAnswerCommand} from "./commands/answer.ts";
import {registerAgentsCommand} from "./commands/agents.ts";
import {registerLaunchCommand} from "./commands/launch.ts";
import {registerMachinesCommand} from "./commands/machines.ts";
import {registerServersCommand} from "./commands/servers.ts";

/**
 * The `agentfit` command tree. Options are positional: a flag belongs to the command it follows, so
 * `agentfit verdict thresholds --json` reaches `thresholds`, not `verdict`, which declares one too.
 */
export function createProgram(): Command {
    const program = new Command()
        .name("agentfit")
        .description("Can this machine run a usable coding agent on a local model?")
        .version(appVersion)
        .showHelpAfterError()
        .exitOverride()
        .enablePositionalOptions();

    registerAnswerCommand(program);
    registerProbeCommand(program);
    registerWebCommand(program);
    registerEvalCommand(program);
    registerPullCommand(program);
    registerModelCommands(program);
    registerServeCommand(program);
    registerEngineCommand(program);
    registerRecommendCommand(program);
    registerInspectCommand(program);
    registerCatalogCommand(program);
    registerVerdictCommands(program);
    registerBenchCommand(program);
    registerAgentsCommand(program);
    registerLaunchCommand(program);
    registerMachinesCommand(program);
    registerServersCommand(program);
    return program;
}
