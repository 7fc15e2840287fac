import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterEach, beforeEach, describe, expect, it} from "vitest";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import {executeToolCall, toolDefinitions, toolLimits, type ToolContext} from "../../electron/core/evals/workspaceTools.ts";
import {task, workspaceCopy} from "../../testkit/evalFixtures.ts";

const js = task("js-timesheet-durations");
let ws: ReturnType<typeof workspaceCopy>;
let outside: string;
let context: ToolContext;
const secret = "top secret outside the workspace";

beforeEach(() => {
    ws = workspaceCopy(js);
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-outside-"));
    fs.writeFileSync(path.join(outside, "secret.txt"), secret);
    fs.symlinkSync(outside, path.join(ws.dir, "linked-dir"));
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(ws.dir, "src", "linked-file.js"));
    fs.symlinkSync(path.join(outside, "missing.txt"), path.join(ws.dir, "dangling.txt"));
    context = {root: ws.dir, toolchain: createToolchains().javascript};
});
afterEach(() => {
    ws[Symbol.dispose]();
    fs.rmSync(outside, {recursive: true, force: true});
});

const run = (name: string, args: unknown) => executeToolCall(context, name, typeof args === "string" ? args : JSON.stringify(args));

describe("workspace-confined tools", () => {
    it("declares six tools with JSON Schemas", () => {
        expect(toolDefinitions.map((t) => t.function.name)).toEqual(["list_files", "read_file", "write_file", "replace_in_file", "search_files", "run_tests"]);
        expect(toolDefinitions[2]!.function.parameters).toMatchObject({type: "object", required: ["path", "content"], additionalProperties: false});
    });

    it("lists, reads, writes, replaces and searches inside the workspace", async () => {
        expect((await run("list_files", {})).content).toMatch(/^package\.json \(\d+ bytes\)$/m);
        expect((await run("list_files", {})).content).not.toContain("linked");
        expect((await run("read_file", {path: "src/index.js", start_line: 2, end_line: 2})).content).toBe('export {invoiceLines} from "./invoice.js";');
        expect(await run("write_file", {path: "src/new/helper.js", content: "export const x = 1;\n"})).toMatchObject({error: null, edited: "src/new/helper.js"});
        expect(fs.readFileSync(path.join(ws.dir, "src/new/helper.js"), "utf8")).toBe("export const x = 1;\n");
        expect(await run("replace_in_file", {path: "src/new/helper.js", old_text: "x = 1", new_text: "x = 2"})).toMatchObject({error: null});
        expect((await run("search_files", {pattern: "x = \\d"})).content).toBe("src/new/helper.js:1: export const x = 2;");
        const absoluteInside = path.join(ws.dir, "src", "format.js");
        expect((await run("read_file", {path: absoluteInside})).error).toBeNull();
    });

    it("runs the test suite", async () => {
        fs.rmSync(path.join(ws.dir, "dangling.txt")); // node --test stops at a dangling link
        const result = await run("run_tests", {});
        expect(result.content).toMatch(/^8 tests: 8 passed, 0 failed, 0 errors, 0 skipped\./);
        expect(result.subprocessMs).toBeGreaterThan(0);
    });

    const escapes: [string, Record<string, unknown>][] = [
        ["list_files", {path: ".."}],
        ["list_files", {path: "linked-dir"}],
        ["read_file", {path: "../../../../etc/passwd"}],
        ["read_file", {path: "/etc/passwd"}],
        ["read_file", {path: "linked-dir/secret.txt"}],
        ["read_file", {path: "src/linked-file.js"}],
        ["read_file", {path: "src/../../outside.txt"}],
        ["write_file", {path: "../escaped.txt", content: "x"}],
        ["write_file", {path: "linked-dir/new.txt", content: "x"}],
        ["write_file", {path: "src/linked-file.js", content: "overwritten"}],
        ["write_file", {path: "dangling.txt", content: "x"}],
        ["write_file", {path: "linked-dir/deeper/new.txt", content: "x"}],
        ["replace_in_file", {path: "src/linked-file.js", old_text: "top", new_text: "bottom"}],
        ["replace_in_file", {path: "/etc/hosts", old_text: "localhost", new_text: "x"}],
        ["search_files", {pattern: "secret", path: ".."}],
        ["search_files", {pattern: "secret", path: "linked-dir"}]
    ];
    it.each(escapes)("refuses %s %j: the call fails and nothing outside changes", async (name, args) => {
        const result = await run(name, args);
        expect(result.error?.kind).toBe("failed");
        expect(result.content).toMatch(/^Error: .*(outside the project|symbolic link)/);
        expect(result.content).not.toContain(secret);
        expect(fs.readdirSync(outside).sort()).toEqual(["secret.txt"]);
        expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe(secret);
        expect(fs.existsSync(path.join(ws.dir, "..", "escaped.txt"))).toBe(false);
    });

    it("search never follows symlinks out of the workspace", async () => {
        expect((await run("search_files", {pattern: "top secret"})).content).toBe("No matches.");
    });

    it("reports bad calls as tool errors of the right kind", async () => {
        expect(await run("shell", {command: "ls"})).toMatchObject({error: {kind: "unknownTool"}});
        expect(await run("read_file", '{"path": "src/index.js"')).toMatchObject({error: {kind: "badArguments"}});
        expect(await run("read_file", {file: "src/index.js"})).toMatchObject({error: {kind: "badArguments", message: expect.stringContaining('unknown argument "file"')}});
        expect(await run("write_file", {path: "a.js"})).toMatchObject({error: {kind: "badArguments", message: expect.stringContaining('"content" is missing')}});
        expect(await run("read_file", {path: ["src/index.js"]})).toMatchObject({error: {kind: "badArguments"}});
        expect(await run("read_file", {path: "src/nope.js"})).toMatchObject({error: {kind: "failed", message: expect.stringContaining("no such file")}});
        expect(await run("read_file", {path: "src"})).toMatchObject({error: {kind: "failed", message: expect.stringContaining("folder")}});
        expect(await run("replace_in_file", {path: "src/index.js", old_text: "export", new_text: "x"})).toMatchObject({
            error: {kind: "failed", message: expect.stringContaining("occurs 3 times")}
        });
        expect(await run("replace_in_file", {path: "src/index.js", old_text: "nothing like this", new_text: "x"})).toMatchObject({error: {kind: "failed"}});
        expect(await run("search_files", {pattern: "("})).toMatchObject({error: {kind: "failed", message: expect.stringContaining("regular expression")}});
        expect(await run("read_file", {path: "a\u0000b"})).toMatchObject({error: {kind: "failed"}});
    });

    it("enforces size limits", async () => {
        const big = "x".repeat(toolLimits.writeBytes + 1);
        expect(await run("write_file", {path: "big.txt", content: big})).toMatchObject({error: {kind: "failed", message: expect.stringContaining("at most")}});
        fs.writeFileSync(path.join(ws.dir, "huge.log"), `${"x".repeat(99)}\n`.repeat(3000));
        expect(await run("read_file", {path: "huge.log"})).toMatchObject({error: {kind: "failed", message: expect.stringContaining("start_line")}});
        expect((await run("read_file", {path: "huge.log", start_line: 2, end_line: 3})).content).toBe(`${"x".repeat(99)}\n${"x".repeat(99)}`);
    });
});
