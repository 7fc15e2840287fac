import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {EvalScoreStep, EvalScoring, EvalTestRun} from "../../api/EvalApi.ts";
import {functionsUsed, type FunctionRef} from "./analysis/functionsUsed.ts";
import type {CodeToken} from "./analysis/ModuleAnalysis.ts";
import {linesDiffer} from "./analysis/readLinesLikeR.ts";
import type {InlineMarker, RefactorTask} from "./tasks/refactorTasks.ts";
import {testsPassed, type Toolchain} from "./toolchains.ts";
import {copyProject, listFiles} from "./workspace.ts";

export interface ScoreSampleOptions {
    task: RefactorTask;
    toolchain: Toolchain;
    /** The agent's copy of the project after the run. */
    workspace: string;
    signal?: AbortSignal;
}

type Scored = EvalScoring & {steps: EvalScoreStep[]; subprocessMs: number};

const CHANGED_RULE = "compared line by line as helperbench does, so line endings (CRLF or LF) and a final newline make no difference";

/** Every check in the order it runs; the first four make helperbench's original score. */
const CHECKS: EvalScoreStep["check"][] = ["targetExists", "parses", "changed", "tests", "newHelper", "helperUsed", "blockMoved"];
const scoreOf = (check: EvalScoreStep["check"]): EvalScoreStep["score"] => (CHECKS.indexOf(check) < 4 ? "original" : "strict");

/**
 * Grades a finished sample twice. The original score (helperbench's): the target exists, parses
 * and differs from the original line by line, and the whole test suite passes in a pristine copy
 * that takes only the agent's source folder. The strict score also needs a new top-level helper
 * in the source folder that the original function uses (directly or through imports), with the
 * block's code no longer in the function.
 */
export async function scoreSample(options: ScoreSampleOptions): Promise<Scored> {
    const {task, toolchain, workspace} = options;
    const target = task.targetFile;
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
    const steps: EvalScoreStep[] = [];
    const step = (check: EvalScoreStep["check"], passed: boolean, detail: string) => steps.push({check, score: scoreOf(check), passed, detail});
    let subprocessMs = 0;
    const fail = (explanation: string): Scored => {
        for (const check of CHECKS.slice(steps.length)) steps.push({check, score: scoreOf(check), passed: null, detail: "Not checked: an earlier check failed."});
        return {original: {value: "I", explanation}, strict: {value: "I", explanation}, checks, steps, subprocessMs};
    };

    const targetPath = path.join(workspace, target);
    checks.targetExists = fs.existsSync(targetPath) && fs.statSync(targetPath).isFile();
    step("targetExists", checks.targetExists, checks.targetExists ? `${target} exists.` : `${target} no longer exists.`);
    if (!checks.targetExists) return fail(`The target file ${target} no longer exists.`);

    const parse = await toolchain.parseCheck(targetPath, workspace, options.signal);
    subprocessMs += parse.durationMs;
    checks.parses = parse.ok;
    checks.parseError = parse.message;
    step("parses", parse.ok, parse.ok ? `${target} parses (${toolchain.parser}).` : `${target} does not parse (${toolchain.parser}): ${firstLine(parse.message)}`);
    if (!parse.ok) return fail(`${target} does not parse: ${firstLine(parse.message)}`);

    checks.changed = linesDiffer(fs.readFileSync(path.join(task.projectDir, target)), fs.readFileSync(targetPath));
    step("changed", checks.changed, `${target} ${checks.changed ? "differs from the original" : "is the same as the original"}, ${CHANGED_RULE}.`);
    if (!checks.changed) return fail(`${target} is unchanged.`);

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
        const passed = testsPassed(testRun);
        step("tests", passed, `${testSummary(testRun)} in a clean copy of the project that takes only the agent's ${task.sourceDir}/ folder (edits elsewhere, tests included, are discarded).`);

        const strict = await strictChecks(task, toolchain, clean);
        subprocessMs += strict.durationMs;
        Object.assign(checks, strict.checks);
        steps.push(...strict.steps);

        if (!passed) return fail(`The tests do not pass: ${testSummary(testRun)}.`);
        const original = {value: "C" as const, explanation: `${target} changed and all ${testRun.tests} tests pass.`};
        const strictFailure = strict.steps.find((s) => !s.passed);
        return {
            original,
            strict: strictFailure
                ? {value: "I", explanation: strictFailure.detail}
                : {value: "C", explanation: `${task.functionName} now calls the new top-level helper ${checks.helperUsed}, and the tests pass.`},
            checks,
            steps,
            subprocessMs
        };
    } finally {
        fs.rmSync(clean, {recursive: true, force: true});
    }
}

function testSummary(run: EvalTestRun): string {
    if (!run.ran) return "the test suite could not run";
    if (testsPassed(run)) return `all ${run.tests} tests pass`;
    if (run.tests === 0) return "the suite ran no tests";
    if (run.failed + run.errors === 0) return `the test run failed (exit code ${run.exitCode}) with ${run.tests} tests`;
    return `${run.failed} failed and ${run.errors} errored of ${run.tests} tests`;
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
    const relative = (file: string) => path.relative(clean, file).split(path.sep).join("/");
    // Without the original's functions every function would look new: no strict verdict then.
    const originalUnreadable = before.find((m) => m.error);
    if (originalUnreadable) {
        const why = `The original project's ${path.relative(task.projectDir, originalUnreadable.file).split(path.sep).join("/")} could not be analysed (${firstLine(originalUnreadable.error)}), so new functions cannot be told apart.`;
        return {
            durationMs: performance.now() - started,
            steps: [
                {check: "newHelper" as const, score: "strict" as const, passed: false, detail: why},
                {check: "helperUsed" as const, score: "strict" as const, passed: null, detail: "Not checked: an earlier check failed."},
                {check: "blockMoved" as const, score: "strict" as const, passed: null, detail: "Not checked: an earlier check failed."}
            ],
            checks: {newFunctions: [], functionFound: null, helperUsed: null, blockInline: null}
        };
    }
    const existing = new Set(before.flatMap((m) => m.functions.map((f) => f.name)));
    // New: a top-level function whose name the original source folder did not have, in any file of the copied source folder.
    const created: FunctionRef[] = after.flatMap((m) => m.functions.filter((f) => !existing.has(f.name)).map((f) => ({file: m.file, name: f.name})));
    const newFunctions = [...new Set(created.map((f) => f.name))].sort();
    const describe = (refs: FunctionRef[]) => refs.map((f) => `${f.name} (${relative(f.file)})`).join(", ");

    const targetAnalysis = after.find((m) => path.resolve(m.file) === path.resolve(clean, task.targetFile));
    const original = targetAnalysis?.functions.findLast((f) => f.name === task.functionName);
    const used = original && targetAnalysis ? functionsUsed(after, targetAnalysis.file, original, {sharedNamespace: toolchain.sharedNamespace}) : [];
    const helper = used.find((ref) => created.some((c) => c.name === ref.name && path.resolve(c.file) === path.resolve(ref.file))) ?? null;
    const marker = original ? task.inlineMarkers.find((m) => holdsMarker(original.tokens, m)) : undefined;

    const fn = task.functionName;
    const steps: EvalScoreStep[] = [];
    const step = (check: EvalScoreStep["check"], passed: boolean | null, detail: string) => steps.push({check, score: scoreOf(check), passed, detail});
    const unreadable = after.filter((m) => m.error).map((m) => `${relative(m.file)}: ${firstLine(m.error)}`);
    step(
        "newHelper",
        created.length > 0,
        created.length > 0
            ? `New top-level function${created.length > 1 ? "s" : ""} in ${task.sourceDir}/: ${describe(created)}.`
            : `No new top-level helper function was created in ${task.sourceDir}/ (a function defined inside ${fn} does not count).${unreadable.length > 0 ? ` Could not read ${unreadable.join("; ")}.` : ""}`
    );
    if (!original)
        step(
            "helperUsed",
            false,
            targetAnalysis?.error
                ? `${fn} could not be looked for: ${task.targetFile} could not be read (${firstLine(targetAnalysis.error)}).`
                : `${fn} is no longer a top-level function of ${task.targetFile}.`
        );
    else if (helper) step("helperUsed", true, `${fn} uses the new helper ${describe([helper])}.`);
    else if (created.length > 0) step("helperUsed", false, `${fn} does not use the new function${created.length > 1 ? "s" : ""} ${describe(created)}.`);
    else step("helperUsed", false, `${fn} uses no new helper, as there is none.`);
    if (!original) step("blockMoved", null, `Not checked: ${fn} is not in ${task.targetFile}.`);
    else
        step(
            "blockMoved",
            !marker,
            marker
                ? `The block still stands inline in ${fn}: its code has ${marker.label}.`
                : `The block's code no longer stands in ${fn} (checked on its code tokens, so comments and strings do not count).`
        );
    return {
        durationMs: performance.now() - started,
        steps,
        checks: {newFunctions, functionFound: Boolean(original), helperUsed: helper?.name ?? null, blockInline: original ? Boolean(marker) : null}
    };
}

/** Whether the tokens hold the marker's tokens one after another. */
function holdsMarker(tokens: readonly CodeToken[], marker: InlineMarker): boolean {
    const matches = (token: CodeToken, want: InlineMarker["tokens"][number]) =>
        token.kind === want.kind && (want.contains ? token.text.includes(want.text) : token.text === want.text);
    return tokens.some((_, start) => marker.tokens.every((want, i) => tokens[start + i] !== undefined && matches(tokens[start + i]!, want)));
}

function firstLine(text: string | null): string {
    return (text ?? "").split("\n").find((line) => line.trim())?.trim() ?? "parse error";
}

