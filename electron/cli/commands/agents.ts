import type {Command} from "commander";
import {withAppService} from "../utils/withAppService.ts";
import {dim, green, table, yellow} from "../utils/format.ts";

export function registerAgentsCommand(program: Command) {
    program
        .command("agents")
        .description("The coding agents on this machine (Claude Code, Codex CLI, OpenCode, Aider): versions and how each connects")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const agents = await withAppService((app) => app["agents.list"]({}));
            if (options.json) return console.log(JSON.stringify(agents, null, 2));
            console.log(
                table(
                    ["Agent", "Installed", "Version", "Protocol", "Context", "Connects through"],
                    agents.map((a) => [
                        `${a.label} (${a.id})`,
                        a.installed ? green(a.path ?? "yes") : yellow("no"),
                        a.version ? (a.version === a.testedVersion ? a.version : `${a.version} ${dim(`(tested ${a.testedVersion})`)}`) : "–",
                        a.protocol,
                        `${Math.round(a.firstRequestTokens / 1000)}k first request, served at ${Math.round(a.contextSize / 1024)}k`,
                        [...a.connectVariables, ...a.configFiles.map((f) => `temp ${f}`)].join(", ")
                    ])
                )
            );
            for (const a of agents.filter((x) => !x.installed)) console.log(dim(`Install ${a.label}: ${a.install}`));
            console.log(dim("\nStart one on a local model: agentfit launch <agent> [--model <id | path>]"));
        });
}
