import type {ChatCompletionCreateParamsNonStreaming} from "openai/resources/chat/completions";
import type {RefactorTask} from "../electron/core/evals/tasks/refactorTasks.ts";
import {outcomeText, tasks} from "./evalFixtures.ts";
import {lastToolResult, turnOf, type AgentReply, type ScriptedAgent} from "./scriptedOpenAi.ts";

/** An agent that plays the given replies in order, then answers `final`. */
export function sequence(replies: AgentReply[], final = "Done."): ScriptedAgent {
    return (request) => replies[turnOf(request)] ?? {content: final};
}

const call = (name: string, args: string | Record<string, unknown>): AgentReply => ({toolCalls: [{name, arguments: args}]});

/**
 * A competent agent: looks around, reads the target, writes the hand-made refactor, runs the
 * tests and summarises. Its first call's arguments carry unusual spacing, so a test can check
 * they come back byte for byte.
 */
export function solver(task: RefactorTask): ScriptedAgent {
    return (request) => {
        const turn = turnOf(request);
        if (turn === 0) return call("list_files", '{ "path" :  "." }');
        if (turn === 1) return call("read_file", {path: task.targetFile});
        if (turn === 2) return call("write_file", {path: task.targetFile, content: outcomeText(task, "refactored")});
        if (turn === 3) return call("run_tests", {});
        return {content: `Moved the block into a new top-level helper; ${task.functionName} calls it. Test run: ${lastToolResult(request).split("\n")[0]}`};
    };
}

/** Agents that fail in each of the ways local models fail helperbench, by failure mode. */
export function failingAgents(task: RefactorTask): Record<string, ScriptedAgent> {
    const source = `${task.sourceDir}/helpers${task.targetFile.slice(task.targetFile.lastIndexOf("."))}`;
    return {
        no_tool_calls: sequence([], `Here is the refactored code:\n\n\`\`\`${task.fence}\n${outcomeText(task, "refactored")}\n\`\`\``),
        tool_calls_as_text: sequence(
            [],
            `<tool_call>\n${JSON.stringify({name: "write_file", arguments: {path: task.targetFile, content: outcomeText(task, "refactored")}})}\n</tool_call>`
        ),
        bad_tool_calls: sequence(
            [
                call("edit_file", {file: task.targetFile, find: "x", replace: "y"}),
                call("write_file", {filename: task.targetFile, text: "x"}),
                call("read_file", '{"path": "' + task.targetFile),
                call("replace_in_file", {path: task.targetFile})
            ],
            "I refactored the code into a helper."
        ),
        never_edited_target: sequence([call("read_file", {path: task.targetFile})], "Done! The block is now a helper function."),
        edited_other_files_only: sequence([call("write_file", {path: source, content: "// the helper would go here\n"})], "I put the helper in its own file."),
        target_broken: sequence([call("write_file", {path: task.targetFile, content: outcomeText(task, "syntax-error")})], "Refactored."),
        tests_fail: sequence([call("write_file", {path: task.targetFile, content: outcomeText(task, "behaviour-change")}), call("run_tests", {})], "Refactored; some tests may need updating."),
        limit_reached: () => call("list_files", {}),
        context_overflow: (request) =>
            turnOf(request) < 2
                ? call("read_file", {path: task.targetFile})
                : {status: 400, error: {message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error", code: 400}},
        provider_error: () => ({status: 500, error: {message: "The server had an error while processing your request.", type: "server_error"}, headers: {"retry-after-ms": "5"}}),
        helper_not_called: sequence([call("write_file", {path: task.targetFile, content: outcomeText(task, "helper-not-called")})], "Added a helper.")
    };
}

/** One solver per task, by model name "solver-<task>". */
export function solvers(): Record<string, ScriptedAgent> {
    return Object.fromEntries(tasks.map((t) => [`solver-${t.name}`, solver(t)]));
}

/**
 * A capable model as OpenCode sees it: writes the hand-made refactor with OpenCode's own `write`
 * tool, then summarises; side requests without tools (session titles) get a short title.
 */
export function openCodeSolver(task: RefactorTask): ScriptedAgent {
    return (request) => {
        if (!request.tools?.length) return {content: "Refactor into a helper"};
        if (turnOf(request) === 0) return call("write", {filePath: task.targetFile, content: outcomeText(task, "refactored")});
        return {content: `Moved the block into a new top-level helper; ${task.functionName} calls it.`};
    };
}

/** A capable model as Aider sees it: answers in Aider's "whole" edit format (the file's path, then the whole new file fenced). */
export function aiderSolver(task: RefactorTask): ScriptedAgent {
    return (request) =>
        // Aider's prompt carries example exchanges; the task is the last user message, test failures come back as later ones.
        String(request.messages.at(-1)?.content ?? "").includes(task.prompt.slice(0, 40))
            ? {content: `I moved the block into a new top-level helper that ${task.functionName} calls.\n\n${task.targetFile}\n\`\`\`${task.fence}\n${outcomeText(task, "refactored")}\`\`\`\n`}
            : {content: "Done."};
}

/** The sample's working folder as the agent's prompt states it (Claude Code: "Primary working directory: …", Codex: `<cwd>…</cwd>`). */
export function workingDirectory(request: ChatCompletionCreateParamsNonStreaming): string {
    const text = JSON.stringify(request.messages);
    const found = /Primary working directory: ([^\s"\\]+)/.exec(text) ?? /<cwd>([^<]+)<\/cwd>/.exec(text);
    if (!found) throw new Error("The agent's prompt names no working directory.");
    return found[1]!;
}

/**
 * A capable model as Claude Code sees it: reads the target with `Read`, writes the hand-made
 * refactor with `Write` (both take absolute paths, found in the prompt's environment block), then
 * summarises; side requests without tools get a short title.
 */
export function claudeCodeSolver(task: RefactorTask): ScriptedAgent {
    return (request) => {
        if (!request.tools?.length) return {content: "Refactor into a helper"};
        const file = `${workingDirectory(request)}/${task.targetFile}`;
        const turn = turnOf(request);
        if (turn === 0) return call("Read", {file_path: file});
        if (turn === 1) return call("Write", {file_path: file, content: outcomeText(task, "refactored")});
        return {content: `Moved the block into a new top-level helper; ${task.functionName} calls it.`};
    };
}

/** A capable model as Codex sees it: looks at the target, then writes the hand-made refactor through `exec_command` (a quoted here-document), then summarises. */
export function codexSolver(task: RefactorTask): ScriptedAgent {
    return (request) => {
        if (!request.tools?.length) return {content: "Refactor into a helper"};
        const turn = turnOf(request);
        if (turn === 0) return call("exec_command", {cmd: `cat ${task.targetFile}`});
        if (turn === 1) {
            const text = outcomeText(task, "refactored");
            return call("exec_command", {cmd: `cat > ${task.targetFile} <<'AGENTFIT_EOF'\n${text.endsWith("\n") ? text : `${text}\n`}AGENTFIT_EOF`});
        }
        return {content: `Moved the block into a new top-level helper; ${task.functionName} calls it.`};
    };
}
