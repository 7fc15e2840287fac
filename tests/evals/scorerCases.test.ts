import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import type {EvalScoreValue} from "../../electron/api/EvalApi.ts";
import {failedAnalysis} from "../../electron/core/evals/analysis/ModuleAnalysis.ts";
import {classifyFailure} from "../../electron/core/evals/classifyFailure.ts";
import type {SolverTrace} from "../../electron/core/evals/EvalSolver.ts";
import {scoreSample} from "../../electron/core/evals/scoreSample.ts";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import type {RefactorTask} from "../../electron/core/evals/tasks/refactorTasks.ts";
import {applyWorkspaceFixture, outcomeText, task as taskNamed, tasks, workspaceCopy, workspaceFixtures} from "../../testkit/evalFixtures.ts";

// The scorer's hard cases, each a hand-made workspace (testkit/fixtures/evals/<task>/workspaces/) or a
// byte-level rewrite of the pristine target, scored by the real toolchains.

const toolchains = createToolchains();

interface Expected {
    original: EvalScoreValue;
    strict: EvalScoreValue;
    /** The new helper the original function is found to use. */
    helperUsed?: string | null;
    blockInline?: boolean | null;
    /** Words the strict explanation must contain. */
    strictSays?: string;
}

const workspaces: Record<string, Record<string, Expected>> = {
    "r-skill-frontmatter": {
        "helper-in-new-file": {original: "C", strict: "C", helperUsed: "frontmatter_end", blockInline: false},
        "package-qualified-call": {original: "C", strict: "C", helperUsed: "frontmatter_end", blockInline: false},
        "comments-and-strings": {original: "C", strict: "C", helperUsed: "frontmatter_end", blockInline: false},
        "helper-in-tests-folder": {original: "I", strict: "I", helperUsed: null},
        "nested-shadows-new-helper": {original: "C", strict: "I", helperUsed: null, blockInline: true, strictSays: "does not use the new function frontmatter_end"}
    },
    "py-ledger-amounts": {
        "renamed-import": {original: "C", strict: "C", helperUsed: "parse_amount", blockInline: false},
        "module-attribute": {original: "C", strict: "C", helperUsed: "parse_amount", blockInline: false},
        "dotted-module-attribute": {original: "C", strict: "C", helperUsed: "parse_amount", blockInline: false},
        "import-inside-function": {original: "C", strict: "C", helperUsed: "parse_amount", blockInline: false},
        "comments-and-strings": {original: "C", strict: "C", helperUsed: "parse_amount", blockInline: false},
        "helper-outside-source-folder": {original: "I", strict: "I", helperUsed: null},
        "nested-shadows-new-helper": {original: "C", strict: "I", helperUsed: null, blockInline: true, strictSays: "does not use the new function parse_amount"}
    },
    "js-timesheet-durations": {
        "renamed-import": {original: "C", strict: "C", helperUsed: "parseDuration", blockInline: false},
        "namespace-import": {original: "C", strict: "C", helperUsed: "parseDuration", blockInline: false},
        "require-destructured": {original: "C", strict: "C", helperUsed: "parseDuration", blockInline: false},
        "re-export": {original: "C", strict: "C", helperUsed: "parseDuration", blockInline: false},
        "comments-and-strings": {original: "C", strict: "C", helperUsed: "parseDuration", blockInline: false},
        "helper-outside-source-folder": {original: "I", strict: "I", helperUsed: null},
        "nested-shadows-new-helper": {original: "C", strict: "I", helperUsed: null, blockInline: true, strictSays: "does not use the new function parseDuration"}
    }
};

/** Rewrites of the pristine target file: helperbench compares lines, so only changed lines count. */
const rewrites: {name: string; rewrite: (text: string) => string; changed: boolean; unparseableIn?: RefactorTask["language"][]}[] = [
    {name: "without its final newline", rewrite: (text) => text.replace(/\n$/, ""), changed: false},
    {name: "with CRLF line endings", rewrite: (text) => text.replace(/\n/g, "\r\n"), changed: false},
    {name: "with CRLF line endings and no final newline", rewrite: (text) => text.replace(/\n$/, "").replace(/\n/g, "\r\n"), changed: false},
    // R's parse() refuses a byte-order mark, so helperbench's parse check fails first; Python and Node read it.
    {name: "with a UTF-8 byte-order mark", rewrite: (text) => `\ufeff${text}`, changed: false, unparseableIn: ["r"]},
    {name: "with a trailing space on one line", rewrite: (text) => text.replace("\n", " \n"), changed: true},
    {name: "with one more empty line at the end", rewrite: (text) => `${text}\n`, changed: true}
];

function traceThatEdited(file: string): SolverTrace {
    return {
        turns: 3,
        usage: {inputTokens: 3000, cachedInputTokens: 0, outputTokens: 300},
        wallMs: 1000,
        modelMs: 900,
        toolMs: 100,
        subprocessMs: 0,
        toolCalls: 2,
        toolErrors: {unknownTool: 0, badArguments: 0, failed: 0},
        edited: [file],
        endReason: "answered",
        limitHit: null,
        providerError: null,
        finalText: "Done.",
        toolCallsAsText: false
    };
}

async function scoreWorkspace(task: RefactorTask, prepare: (dir: string) => void) {
    using ws = workspaceCopy(task);
    prepare(ws.dir);
    return await scoreSample({task, toolchain: toolchains[task.language], workspace: ws.dir});
}

describe.concurrent.each(tasks.map((t) => [t.name, t] as const))("hard cases of %s", (_name, task) => {
    it("every hand-made workspace has an expected score", () => {
        expect(workspaceFixtures(task)).toEqual(Object.keys(workspaces[task.name] ?? {}).sort());
    });

    it.each(Object.entries(workspaces[task.name] ?? {}))("%s", async (fixture, expected) => {
        const result = await scoreWorkspace(task, (dir) => applyWorkspaceFixture(task, fixture, dir));
        expect({original: result.original.value, strict: result.strict.value}, `${result.original.explanation} / ${result.strict.explanation}`).toEqual({
            original: expected.original,
            strict: expected.strict
        });
        if (expected.helperUsed !== undefined) expect(result.checks.helperUsed).toBe(expected.helperUsed);
        if (expected.blockInline !== undefined) expect(result.checks.blockInline).toBe(expected.blockInline);
        if (expected.strictSays) expect(result.strict.explanation).toContain(expected.strictSays);
        if (expected.strict === "C") expect(result.strict.explanation).toContain(`${task.functionName} now calls the new top-level helper`);
        // Every check is explained, in order, and a C has every check passed.
        expect(result.steps.map((s) => s.check)).toEqual(["targetExists", "parses", "changed", "tests", "newHelper", "helperUsed", "blockMoved"]);
        if (expected.strict === "C") expect(result.steps.every((s) => s.passed === true)).toBe(true);
    });

    it.each(rewrites)("the target written back $name is changed: $changed", async ({rewrite, changed, unparseableIn}) => {
        const original = fs.readFileSync(path.join(task.projectDir, task.targetFile), "utf8");
        const result = await scoreWorkspace(task, (dir) => fs.writeFileSync(path.join(dir, task.targetFile), rewrite(original)));
        if (unparseableIn?.includes(task.language)) {
            expect(result.checks.parses).toBe(false);
            expect(result.original.explanation).toContain("does not parse");
            return;
        }
        expect(result.checks.parses).toBe(true);
        expect(result.checks.changed).toBe(changed);
        const step = result.steps.find((s) => s.check === "changed")!;
        expect(step.passed).toBe(changed);
        expect(step.detail).toContain("line by line");
        if (changed) {
            // helperbench's rule: any changed line counts, and the untouched code passes the tests.
            expect(result.original.value).toBe("C");
            expect(result.strict.value).toBe("I");
            expect(result.checks.blockInline).toBe(true);
        } else {
            expect(result.original).toEqual({value: "I", explanation: `${task.targetFile} is unchanged.`});
            expect(result.checks.tests).toBeNull();
            // The failure says the target was written back, not that it was never touched.
            expect(classifyFailure(task, traceThatEdited(task.targetFile), result)).toEqual({
                mode: "never_edited_target",
                detail: expect.stringContaining(`wrote ${task.targetFile} back without changing any line`)
            });
        }
    });
});

it("gives no strict verdict when the original project cannot be analysed, instead of taking every function for new", async () => {
    const python = taskNamed("py-ledger-amounts");
    const real = toolchains.python;
    // The analyzer breaking (a broken interpreter, a killed process) on the pristine project only.
    const toolchain = {...real, analyze: async (files: readonly string[], cwd: string) => (cwd === python.projectDir ? files.map((f) => failedAnalysis(f, "the analyzer failed: exit 1")) : real.analyze(files, cwd))};
    using ws = workspaceCopy(python);
    fs.writeFileSync(path.join(ws.dir, python.targetFile), outcomeText(python, "refactored"));
    const result = await scoreSample({task: python, toolchain, workspace: ws.dir});
    expect(result.original.value).toBe("C");
    expect(result.strict.value).toBe("I");
    expect(result.strict.explanation).toBe(
        "The original project's ledger/__init__.py could not be analysed (the analyzer failed: exit 1), so new functions cannot be told apart."
    );
    expect(result.checks.newFunctions).toEqual([]);
});
