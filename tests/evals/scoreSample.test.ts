import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {scoreSample} from "../../electron/core/evals/scoreSample.ts";
import {createToolchains} from "../../electron/core/evals/toolchains.ts";
import type {RefactorTask} from "../../electron/core/evals/tasks/refactorTasks.ts";
import {listFiles} from "../../electron/core/evals/workspace.ts";
import {outcomeText, tasks, workspaceCopy, type Outcome} from "../../testkit/evalFixtures.ts";

const toolchains = createToolchains();

async function score(task: RefactorTask, prepare: (dir: string) => void) {
    using ws = workspaceCopy(task);
    prepare(ws.dir);
    return await scoreSample({task, toolchain: toolchains[task.language], workspace: ws.dir});
}
const write = (task: RefactorTask, outcome: Outcome) => (dir: string) => fs.writeFileSync(path.join(dir, task.targetFile), outcomeText(task, outcome));
const testsDir = (task: RefactorTask) => (task.language === "javascript" ? "test" : "tests");

describe.concurrent.each(tasks.map((t) => [t.name, t] as const))("scoring %s", (_name, task) => {
    it("a correct refactor scores C on both scores", async () => {
        const result = await score(task, write(task, "refactored"));
        expect(result.original).toMatchObject({value: "C"});
        expect(result.strict).toMatchObject({value: "C"});
        expect(result.checks.newFunctions).toHaveLength(1);
        expect(result.checks.helperUsed).toBe(result.checks.newFunctions[0]);
        expect(result.checks.blockInline).toBe(false);
        expect(result.checks.tests).toMatchObject({ran: true, failed: 0, errors: 0});
        expect(result.checks.tests!.tests).toBeGreaterThan(5);
        expect(result.steps.map((s) => [s.check, s.score, s.passed])).toEqual([
            ["targetExists", "original", true],
            ["parses", "original", true],
            ["changed", "original", true],
            ["tests", "original", true],
            ["newHelper", "strict", true],
            ["helperUsed", "strict", true],
            ["blockMoved", "strict", true]
        ]);
        expect(result.steps.find((s) => s.check === "helperUsed")!.detail).toBe(
            `${task.functionName} uses the new helper ${result.checks.helperUsed} (${task.targetFile}).`
        );
    });

    it("a helper defined inside the original function passes the original score only", async () => {
        const result = await score(task, write(task, "nested-helper"));
        expect(result.original.value).toBe("C");
        expect(result.strict).toEqual({
            value: "I",
            explanation: `No new top-level helper function was created in ${task.sourceDir}/ (a function defined inside ${task.functionName} does not count).`
        });
        expect(result.checks.blockInline).toBe(true);
    });

    it("a new helper the original function does not call passes the original score only", async () => {
        const result = await score(task, write(task, "helper-not-called"));
        expect(result.original.value).toBe("C");
        expect(result.strict.value).toBe("I");
        expect(result.strict.explanation).toContain("does not use the new function");
        expect(result.checks.blockInline).toBe(true);
    });

    it("a syntax error in the target scores I without running the tests", async () => {
        const result = await score(task, write(task, "syntax-error"));
        expect(result.original.value).toBe("I");
        expect(result.original.explanation).toContain("does not parse");
        expect(result.checks.parses).toBe(false);
        expect(result.checks.tests).toBeNull();
        expect(result.steps.filter((s) => s.passed === null).map((s) => s.check)).toEqual(["changed", "tests", "newHelper", "helperUsed", "blockMoved"]);
    });

    it("a behaviour change scores I through the tests", async () => {
        const result = await score(task, write(task, "behaviour-change"));
        expect(result.original.value).toBe("I");
        expect(result.checks.tests!.failed + result.checks.tests!.errors).toBeGreaterThan(0);
        expect(result.checks.parses).toBe(true);
    });

    it("no change scores I", async () => {
        const result = await score(task, () => {});
        expect(result.original).toEqual({value: "I", explanation: `${task.targetFile} is unchanged.`});
    });

    it("edits outside the source folder are discarded: broken tests do not matter, edited tests do not help", async () => {
        const good = await score(task, (dir) => {
            write(task, "refactored")(dir);
            for (const file of listFiles(dir, testsDir(task))) fs.writeFileSync(path.join(dir, file), "this is not code {{{");
        });
        expect(good.original.value).toBe("C");
        const cheat = await score(task, (dir) => {
            write(task, "behaviour-change")(dir);
            fs.rmSync(path.join(dir, testsDir(task)), {recursive: true});
        });
        expect(cheat.original.value).toBe("I");
    });

    it("a deleted target scores I", async () => {
        const result = await score(task, (dir) => fs.rmSync(path.join(dir, task.targetFile)));
        expect(result.original).toEqual({value: "I", explanation: `The target file ${task.targetFile} no longer exists.`});
        expect(result.checks.targetExists).toBe(false);
    });

    it("a renamed function fails the tests and the strict check", async () => {
        const result = await score(task, write(task, "renamed-function"));
        expect(result.original.value).toBe("I");
        expect(result.checks.functionFound).toBe(false);
    });
});
