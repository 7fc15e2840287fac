import fs from "node:fs";
import path from "node:path";
import type {ChatCompletionFunctionTool} from "openai/resources/chat/completions";
import {z} from "zod";
import type {EvalToolErrorCounts} from "../../api/EvalApi.ts";
import type {Toolchain} from "./toolchains.ts";
import {listFiles, resolveInWorkspace, WorkspaceError} from "./workspace.ts";

/** Sizes the tools accept or return, bytes or counts. */
export const toolLimits = {
    readBytes: 256 * 1024,
    writeBytes: 256 * 1024,
    workspaceBytes: 20 * 1024 * 1024,
    listedFiles: 500,
    searchMatches: 200,
    searchFileBytes: 1024 * 1024,
    patternLength: 500
};

const pathField = z.string().describe("Path relative to the project root, e.g. \"src/app.js\".");

const schemas = {
    list_files: z.strictObject({path: z.string().optional().describe("Folder relative to the project root. Default: the root.")}),
    read_file: z.strictObject({
        path: pathField,
        start_line: z.number().int().min(1).optional().describe("First line to return (1-based)."),
        end_line: z.number().int().min(1).optional().describe("Last line to return (inclusive).")
    }),
    write_file: z.strictObject({path: pathField, content: z.string().describe("The complete new content of the file.")}),
    replace_in_file: z.strictObject({
        path: pathField,
        old_text: z.string().min(1).describe("Exact text to replace, including whitespace; must occur exactly once."),
        new_text: z.string().describe("Text to put in its place.")
    }),
    search_files: z.strictObject({
        pattern: z.string().min(1).max(toolLimits.patternLength).describe("Regular expression (JavaScript syntax) matched against each line."),
        path: z.string().optional().describe("Folder to search, relative to the project root. Default: the root.")
    }),
    run_tests: z.strictObject({})
} as const;

export type ToolName = keyof typeof schemas;

const descriptions: Record<ToolName, string> = {
    list_files: "List the project's files (recursively) with their sizes in bytes.",
    read_file: "Read a text file of the project. Optionally only lines start_line to end_line.",
    write_file: "Create a file or overwrite it with new content. Give the complete content; parent folders are created.",
    replace_in_file: "Replace one exact occurrence of old_text with new_text in a file. old_text must appear exactly once.",
    search_files: "Search the project's files for lines matching a regular expression. Returns path:line: text.",
    run_tests: "Run the project's whole test suite and report passes, failures and errors."
};

/** The tools as the OpenAI chat-completions API declares them (JSON Schema from the same zod schemas that validate calls). */
export const toolDefinitions: ChatCompletionFunctionTool[] = (Object.keys(schemas) as ToolName[]).map((name) => {
    const {$schema: _schema, ...parameters} = z.toJSONSchema(schemas[name]) as Record<string, unknown>;
    return {type: "function", function: {name, description: descriptions[name], parameters}};
});

export interface ToolContext {
    /** The sample's own copy of the project. */
    root: string;
    toolchain: Toolchain;
    signal?: AbortSignal;
}

export interface ToolOutcome {
    /** What goes back to the model as the tool message. */
    content: string;
    error: {kind: keyof EvalToolErrorCounts; message: string} | null;
    /** Relative path written by a successful write or replace. */
    edited?: string;
    /** Time spent in child processes (test runs), ms. */
    subprocessMs?: number;
}

function fail(kind: keyof EvalToolErrorCounts, message: string): ToolOutcome {
    return {content: `Error: ${message}`, error: {kind, message}};
}

function isToolName(name: string): name is ToolName {
    return Object.hasOwn(schemas, name);
}

/**
 * Runs one tool call. Every problem (unknown tool, arguments that are not JSON or do not fit the
 * tool, a path outside the workspace, a missing file) comes back as an error outcome for the
 * model, never as an exception.
 */
export async function executeToolCall(context: ToolContext, name: string, rawArguments: string): Promise<ToolOutcome> {
    if (!isToolName(name)) return fail("unknownTool", `there is no tool named "${name}". The tools are: ${Object.keys(schemas).join(", ")}.`);
    let json: unknown;
    try {
        json = rawArguments.trim() === "" ? {} : JSON.parse(rawArguments);
    } catch (error) {
        return fail("badArguments", `the arguments of ${name} are not valid JSON (${(error as Error).message}).`);
    }
    const parsed = schemas[name].safeParse(json);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`
                : issue.code === "invalid_type" && /received undefined/.test(issue.message)
                  ? `"${issue.path.join(".")}" is missing`
                  : `${issue.path.length ? `"${issue.path.join(".")}"` : "arguments"}: ${issue.message}`
        );
        const expected = Object.keys(schemas[name].shape).join(", ") || "no arguments";
        return fail("badArguments", `bad arguments for ${name}: ${problems.join("; ")}. It takes: ${expected}.`);
    }
    try {
        return await run(context, name, parsed.data as never);
    } catch (error) {
        if (error instanceof WorkspaceError) return fail("failed", error.message);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return fail("failed", `no such file or folder (${(error as Error).message.replace(context.root + path.sep, "")}).`);
        if (code === "EISDIR") return fail("failed", "that path is a folder, not a file.");
        if (code === "ENOTDIR") return fail("failed", "a part of that path is a file, not a folder.");
        return fail("failed", (error as Error).message.replaceAll(context.root + path.sep, ""));
    }
}

type Args<N extends ToolName> = z.infer<(typeof schemas)[N]>;

async function run(context: ToolContext, name: ToolName, args: Args<ToolName>): Promise<ToolOutcome> {
    const {root} = context;
    switch (name) {
        case "list_files": {
            const {path: folder} = args as Args<"list_files">;
            const target = resolveInWorkspace(root, folder ?? ".");
            if (!fs.statSync(target.absolute).isDirectory()) throw new WorkspaceError(`"${folder}" is a file, not a folder.`);
            const files = listFiles(root, target.relative);
            const shown = files.slice(0, toolLimits.listedFiles).map((file) => `${file} (${fs.statSync(path.join(root, file)).size} bytes)`);
            if (files.length > shown.length) shown.push(`… and ${files.length - shown.length} more files`);
            return {content: shown.length ? shown.join("\n") : "(no files)", error: null};
        }
        case "read_file": {
            const {path: file, start_line, end_line} = args as Args<"read_file">;
            const target = resolveInWorkspace(root, file);
            const stat = fs.statSync(target.absolute);
            if (stat.isDirectory()) throw new WorkspaceError(`"${file}" is a folder: use list_files.`);
            const ranged = start_line !== undefined || end_line !== undefined;
            if (stat.size > (ranged ? toolLimits.searchFileBytes * 16 : toolLimits.readBytes))
                throw new WorkspaceError(`"${file}" is ${stat.size} bytes; read_file returns at most ${toolLimits.readBytes}. Read it in parts with start_line and end_line.`);
            const text = fs.readFileSync(target.absolute, "utf8");
            if (!ranged) return {content: text, error: null};
            const lines = text.split("\n");
            const from = start_line ?? 1;
            const to = Math.min(end_line ?? lines.length, lines.length);
            if (from > to) throw new WorkspaceError(`start_line ${from} is past end_line ${to} (the file has ${lines.length} lines).`);
            const content = lines.slice(from - 1, to).join("\n");
            if (Buffer.byteLength(content) > toolLimits.readBytes) throw new WorkspaceError(`lines ${from}–${to} are more than ${toolLimits.readBytes} bytes; ask for fewer lines.`);
            return {content, error: null};
        }
        case "write_file": {
            const {path: file, content} = args as Args<"write_file">;
            const target = resolveInWorkspace(root, file);
            const bytes = Buffer.byteLength(content);
            if (bytes > toolLimits.writeBytes) throw new WorkspaceError(`the content is ${bytes} bytes; write_file accepts at most ${toolLimits.writeBytes}.`);
            if (fs.existsSync(target.absolute) && fs.statSync(target.absolute).isDirectory()) throw new WorkspaceError(`"${file}" is a folder.`);
            checkWorkspaceSize(root, bytes - (fs.existsSync(target.absolute) ? fs.statSync(target.absolute).size : 0));
            const existed = fs.existsSync(target.absolute);
            fs.mkdirSync(path.dirname(target.absolute), {recursive: true});
            fs.writeFileSync(target.absolute, content);
            return {content: `${existed ? "Wrote" : "Created"} ${target.relative} (${bytes} bytes).`, error: null, edited: target.relative};
        }
        case "replace_in_file": {
            const {path: file, old_text, new_text} = args as Args<"replace_in_file">;
            const target = resolveInWorkspace(root, file);
            const text = fs.readFileSync(target.absolute, "utf8");
            const count = text.split(old_text).length - 1;
            if (count === 0) throw new WorkspaceError(`old_text was not found in ${target.relative}. Read the file and copy the text exactly, including indentation.`);
            if (count > 1) throw new WorkspaceError(`old_text occurs ${count} times in ${target.relative}; include more surrounding lines so it occurs once.`);
            const updated = text.replace(old_text, () => new_text);
            if (Buffer.byteLength(updated) > toolLimits.writeBytes) throw new WorkspaceError(`the file would grow past ${toolLimits.writeBytes} bytes.`);
            checkWorkspaceSize(root, Buffer.byteLength(updated) - Buffer.byteLength(text));
            fs.writeFileSync(target.absolute, updated);
            return {content: `Replaced 1 occurrence in ${target.relative}.`, error: null, edited: target.relative};
        }
        case "search_files": {
            const {pattern, path: folder} = args as Args<"search_files">;
            let regex: RegExp;
            try {
                regex = new RegExp(pattern);
            } catch (error) {
                throw new WorkspaceError(`the pattern is not a valid regular expression: ${(error as Error).message}`);
            }
            const target = resolveInWorkspace(root, folder ?? ".");
            const files = fs.statSync(target.absolute).isDirectory() ? listFiles(root, target.relative) : [target.relative];
            const matches: string[] = [];
            for (const file of files) {
                const full = path.join(root, file);
                if (fs.statSync(full).size > toolLimits.searchFileBytes) continue;
                const lines = fs.readFileSync(full, "utf8").split("\n");
                for (const [index, line] of lines.entries()) {
                    if (!regex.test(line)) continue;
                    matches.push(`${file}:${index + 1}: ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
                    if (matches.length >= toolLimits.searchMatches) break;
                }
                if (matches.length >= toolLimits.searchMatches) {
                    matches.push(`(stopped at ${toolLimits.searchMatches} matches)`);
                    break;
                }
            }
            return {content: matches.length ? matches.join("\n") : "No matches.", error: null};
        }
        case "run_tests": {
            const run = await context.toolchain.runTests(root, context.signal);
            const verdict = !run.ran
                ? "The test suite could not run."
                : `${run.tests} tests: ${run.tests - run.failed - run.errors - run.skipped} passed, ${run.failed} failed, ${run.errors} errors, ${run.skipped} skipped.`;
            return {content: `${verdict}\n\n${run.output}`, error: null, subprocessMs: run.durationMs};
        }
    }
}

function checkWorkspaceSize(root: string, growth: number) {
    if (growth <= 0) return;
    const total = listFiles(root).reduce((sum, file) => sum + fs.statSync(path.join(root, file)).size, 0);
    if (total + growth > toolLimits.workspaceBytes)
        throw new WorkspaceError(`the project would grow past ${toolLimits.workspaceBytes / 1024 / 1024} MiB.`);
}
