import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {EvalScoring} from "../../api/EvalApi.ts";
import type {FileAnalysis} from "./analysis/FunctionInfo.ts";
import type {RefactorTask} from "./tasks/refactorTasks.ts";
import {testsPassed, type Toolchain} from "./toolchains.ts";
import {copyProject, listFiles} from "./workspace.ts";

export interface ScoreSampleOptions {
    task: RefactorTask;
    toolchain: Toolchain;
    /** The agent's copy of the project after the run. */
    workspace: string;
    signal?: AbortSignal;
}

/**
 * Grades a finished sample twice. The original score (helperbench's): the target exists, parses
 * and differs from the original, and the whole test suite passes in a pristine copy that takes
 * only the agent's source folder. The strict score also needs a new top-level helper that the
 * original function uses, with the block no longer inline.
 */
export async function scoreSample(options: ScoreSampleOptions): Promise<EvalScoring & {subprocessMs: number}> {
    const {task, toolchain, workspace} = options;
    const checks: EvalScoring["checks"] = {
        targetExists: false,
        parses: null,
        parseError: null,
        changed: null,
        tests: null,
        newFunctions: [],
        helperUsed: null,
        functionFound: null,
        blockInline: null
    };
    let subprocessMs = 0;
    const fail = (explanation: string, strictExplanation = explanation): EvalScoring & {subprocessMs: number} => ({
        original: {value: "I", explanation},
        strict: {value: "I", explanation: strictExplanation},
        checks,
        subprocessMs
    });

    const target = path.join(workspace, task.targetFile);
    checks.targetExists = fs.existsSync(target) && fs.statSync(target).isFile();
    if (!checks.targetExists) return fail(`The target file ${task.targetFile} no longer exists.`);

    const parse = await toolchain.parseCheck(target, workspace, options.signal);
    subprocessMs += parse.durationMs;
    checks.parses = parse.ok;
    checks.parseError = parse.message;
    if (!parse.ok) return fail(`${task.targetFile} does not parse: ${firstLine(parse.message)}`);

    checks.changed = !fs.readFileSync(target).equals(fs.readFileSync(path.join(task.projectDir, task.targetFile)));
    if (!checks.changed) return fail(`${task.targetFile} is unchanged.`);

    // A pristine copy with only the agent's source folder: edits elsewhere (tests included) are discarded.
    const clean = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-score-"));
    try {
        copyProject(task.projectDir, clean);
        fs.rmSync(path.join(clean, task.sourceDir), {recursive: true, force: true});
        if (fs.existsSync(path.join(workspace, task.sourceDir))) copyProject(path.join(workspace, task.sourceDir), path.join(clean, task.sourceDir));
        const tests = await toolchain.runTests(clean, options.signal);
        subprocessMs += tests.durationMs;
        const {durationMs: _ms, ...testRun} = tests;
        checks.tests = testRun;

        const strict = await strictChecks(task, toolchain, clean);
        subprocessMs += strict.durationMs;
        Object.assign(checks, strict.checks);

        if (!testsPassed(testRun)) {
            const what = !testRun.ran
                ? "the test suite could not run"
                : `${testRun.failed} failed and ${testRun.errors} errored of ${testRun.tests} tests`;
            return fail(`The tests do not pass: ${what}.`);
        }
        const original = {value: "C" as const, explanation: `${task.targetFile} changed and all ${testRun.tests} tests pass.`};
        const strictFailure = !checks.functionFound
            ? `${task.functionName} is no longer a top-level function of ${task.targetFile}.`
            : checks.newFunctions.length === 0
              ? "No new top-level helper function was created."
              : !checks.helperUsed
                ? `${task.functionName} does not use the new function${checks.newFunctions.length > 1 ? "s" : ""} ${checks.newFunctions.join(", ")}.`
                : checks.blockInline
                  ? `The block still stands inline in ${task.functionName}.`
                  : null;
        return {
            original,
            strict: strictFailure
                ? {value: "I", explanation: strictFailure}
                : {value: "C", explanation: `${task.functionName} now calls the new top-level helper ${checks.helperUsed}, and the tests pass.`},
            checks,
            subprocessMs
        };
    } finally {
        fs.rmSync(clean, {recursive: true, force: true});
    }
}

async function strictChecks(task: RefactorTask, toolchain: Toolchain, clean: string) {
    const started = performance.now();
    const sourceFiles = (root: string) =>
        fs.existsSync(path.join(root, task.sourceDir))
            ? listFiles(root, task.sourceDir)
                  .filter((file) => toolchain.sourceExtensions.some((ext) => file.endsWith(ext)))
                  .map((file) => path.join(root, file))
            : [];
    const [before, after] = await Promise.all([
        toolchain.analyze(sourceFiles(task.projectDir), task.projectDir),
        toolchain.analyze(sourceFiles(clean), clean)
    ]);
    const names = (analyses: FileAnalysis[]) => new Set(analyses.flatMap((a) => a.functions.map((f) => f.name)));
    const existing = names(before);
    const newFunctions = [...names(after)].filter((name) => !existing.has(name)).sort();
    const targetAnalysis = after.find((a) => path.resolve(a.file) === path.resolve(clean, task.targetFile));
    const original = targetAnalysis?.functions.find((f) => f.name === task.functionName);
    return {
        durationMs: performance.now() - started,
        checks: {
            newFunctions,
            functionFound: Boolean(original),
            helperUsed: original ? (newFunctions.find((name) => original.names.includes(name)) ?? null) : null,
            blockInline: original ? task.inlineMarkers.some((marker) => marker.test(original.text)) : null
        }
    };
}

function firstLine(text: string | null): string {
    return (text ?? "").split("\n").find((line) => line.trim())?.trim() ?? "parse error";
}
