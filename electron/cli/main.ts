import {Command, CommanderError} from "commander";
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
import {registerMachinesCommand} from "./commands/machines.ts";
import {registerServersCommand} from "./commands/servers.ts";
import {registerAnswerCommand} from "./commands/answer.ts";
import {red} from "./utils/format.ts";

const program = new Command()
    .name("agentfit")
    .description("Can this machine run a usable coding agent on a local model?")
    .version(appVersion)
    .showHelpAfterError()
    .exitOverride();

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
registerMachinesCommand(program);
registerServersCommand(program);

try {
    await program.parseAsync(process.argv);
} catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const code = (error as {code?: unknown}).code;
    console.error(red(`error${typeof code === "string" ? ` [${code}]` : ""}: `) + (error instanceof Error ? error.message : String(error)));
    process.exit(1);
}
