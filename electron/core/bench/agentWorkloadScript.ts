import fs from "node:fs";
import path from "node:path";
import type {AgentWorkloadScript} from "../../protocol/engineProtocol.ts";
import {systemPrompts} from "../evals/systemPrompts.ts";
import {loadRefactorTasks} from "../evals/tasks/refactorTasks.ts";
import {toolDefinitions} from "../evals/workspaceTools.ts";

const TASK = "js-timesheet-durations";

/**
 * The conversation the agent workload replays in the engine: the eval's own system prompt, tool
 * schemas and task prompt with its whole target file attached, and what each tool would have
 * answered (deterministic, about the size real tool results have).
 */
export function agentWorkloadScript(systemPrompt: "long" | "concise"): AgentWorkloadScript {
    const tasks = loadRefactorTasks();
    const task = tasks.find((t) => t.name === TASK) ?? tasks[0]!;
    const sourceFile = fs.readFileSync(path.join(task.projectDir, task.targetFile), "utf8");
    return {
        systemPrompt: systemPrompts[systemPrompt],
        userPrompt: `${task.prompt}\n\nHere is ${task.targetFile}:\n\n\`\`\`${task.fence}\n${sourceFile}\n\`\`\``,
        tools: toolDefinitions,
        toolResults: {
            read_file: sourceFile,
            run_tests: "ok 1 - durations add up\nok 2 - invoice totals\nok 3 - formats hours\n# pass 3\n# fail 0",
            list_files:
                "README.md (412 bytes)\npackage.json (208 bytes)\nsrc/format.js (1190 bytes)\nsrc/index.js (96 bytes)\nsrc/invoice.js (2307 bytes)\ntest/invoice.test.js (1873 bytes)",
            search_files: sourceFile
                .split("\n")
                .slice(0, 8)
                .map((line, i) => `src/invoice.js:${i + 1}: ${line}`)
                .join("\n")
        },
        defaultToolResult: "Done.",
        continuePrompt: "Continue: make the change in the file, then run the tests."
    };
}

/** Characters of the workload's opening (system prompt, tools, task and file), for sizing a context before loading. */
export function agentOpeningCharacters(systemPrompt: "long" | "concise"): number {
    const script = agentWorkloadScript(systemPrompt);
    return script.systemPrompt.length + script.userPrompt.length + JSON.stringify(script.tools).length;
}
