import fs from "node:fs";
import path from "node:path";
import type {EvalTaskInfo} from "../../../api/EvalApi.ts";
import {findAppRoot} from "../../install/appRoot.ts";
import type {CodeToken} from "../analysis/ModuleAnalysis.ts";

/**
 * The block's characteristic code as a run of consecutive code tokens (comments are never tokens,
 * and a string is one token holding its value): while the original function's tokens hold one,
 * the block still stands inline.
 */
export interface InlineMarker {
    /** For people, as it reads in code, e.g. `== "---"`. */
    label: string;
    /** Each token's kind and text; `contains` matches a part of the text (a regular expression's pattern). */
    tokens: {kind: CodeToken["kind"]; text: string; contains?: boolean}[];
}

/**
 * A helperbench-style task: a small project whose `functionName` in `targetFile` holds a block
 * that should become a helper, a test suite pinning the behaviour, and a one-line prompt quoting
 * the block.
 */
export interface RefactorTask {
    name: string;
    title: string;
    language: EvalTaskInfo["language"];
    description: string;
    /** Absolute path of the pristine project; every sample works on its own copy. */
    projectDir: string;
    /** The folder the scorer takes from the agent's copy ("R", "src", "ledger"). */
    sourceDir: string;
    /** Relative to the project, "/" separators. */
    targetFile: string;
    functionName: string;
    /** The block quoted in the prompt, dedented, exactly as it stands in the target file. */
    block: string;
    /** Code fence language of the prompt. */
    fence: string;
    /** The block's characteristic code: while the original function's code holds one of these, the block is still inline. */
    inlineMarkers: InlineMarker[];
    prompt: string;
}

interface TaskSource extends Omit<RefactorTask, "projectDir" | "block" | "prompt"> {
    /** First and last line of the block in the target file (trimmed). */
    blockFirstLine: string;
    blockLastLine: string;
}

const sources: TaskSource[] = [
    {
        name: "r-skill-frontmatter",
        title: "R package: strip YAML front matter into a helper",
        language: "r",
        description:
            "The flagship task, mirroring helperbench: an R package of agent skills whose file-loading function strips YAML front matter inline. Graded with testthat.",
        sourceDir: "R",
        targetFile: "R/fetch.R",
        functionName: "fetch_skill",
        fence: "r",
        blockFirstLine: "# Remove YAML frontmatter if present",
        blockLastLine: "}",
        inlineMarkers: ["==", "!="].flatMap((op) => [
            {label: `${op} "---"`, tokens: [{kind: "operator", text: op}, {kind: "string", text: "---"}]},
            {label: `"---" ${op}`, tokens: [{kind: "string", text: "---"}, {kind: "operator", text: op}]}
        ])
    },
    {
        name: "js-timesheet-durations",
        title: "JavaScript: parse durations in a helper",
        language: "javascript",
        description: "A timesheet library whose weekly summary parses duration strings (\"1:30\", \"1h 30m\") inline. Graded with node:test.",
        sourceDir: "src",
        targetFile: "src/timesheet.js",
        functionName: "summarizeWeek",
        fence: "js",
        blockFirstLine: '// Parse the duration: "1:30", "1h 30m", "90m" or "2h"',
        blockLastLine: "}",
        inlineMarkers: [
            {label: "a regular expression with [0-5]\\d", tokens: [{kind: "regex", text: "[0-5]\\d", contains: true}]},
            {label: "a regular expression with (\\d+)\\s*h", tokens: [{kind: "regex", text: "(\\d+)\\s*h", contains: true}]}
        ]
    },
    {
        name: "py-ledger-amounts",
        title: "Python: normalise amounts in a helper",
        language: "python",
        description: "A bank-statement importer whose reader normalises amounts (\"1.234,56 €\", \"(12.00)\") inline. Graded with unittest.",
        sourceDir: "ledger",
        targetFile: "ledger/importer.py",
        functionName: "read_transactions",
        fence: "python",
        blockFirstLine: "# Normalise the amount: accounting negatives, currency signs, separators",
        blockLastLine: "amount = -amount",
        inlineMarkers: [
            {label: ".rfind(", tokens: [{kind: "operator", text: "."}, {kind: "name", text: "rfind"}, {kind: "operator", text: "("}]},
            {label: 'startswith("(")', tokens: [{kind: "name", text: "startswith"}, {kind: "operator", text: "("}, {kind: "string", text: "("}]}
        ]
    }
];

/** Where the task projects live: `electron/core/evals/tasks/` under the app root (sources and bundles alike). */
export function findTasksDir(): string {
    const dir = path.join(findAppRoot(), "electron", "core", "evals", "tasks");
    if (!fs.existsSync(path.join(dir, "r-skill-frontmatter", "project"))) throw new Error(`The eval task projects were not found next to the app (${dir}).`);
    return dir;
}

/** The block from its first line to its last, dedented. */
function extractBlock(source: string, task: TaskSource): string {
    const lines = source.split("\n");
    const first = lines.findIndex((line) => line.trim() === task.blockFirstLine);
    if (first < 0) throw new Error(`Task ${task.name}: the block's first line is not in ${task.targetFile}.`);
    const indent = /^\s*/.exec(lines[first]!)![0];
    // The last line closes the block at its own indentation (R, JS braces) or is simply the next match (Python).
    const last = lines.findIndex(
        (line, i) => i > first && line.trim() === task.blockLastLine && (task.language === "python" || /^\s*/.exec(line)![0] === indent)
    );
    if (last < 0) throw new Error(`Task ${task.name}: the block's last line is not in ${task.targetFile}.`);
    return lines
        .slice(first, last + 1)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
        .join("\n");
}

let cached: RefactorTask[] | undefined;

/** Every task, read once. */
export function loadRefactorTasks(tasksDir = findTasksDir()): RefactorTask[] {
    if (cached && cached[0]?.projectDir.startsWith(tasksDir)) return cached;
    cached = sources.map(({blockFirstLine: _first, blockLastLine: _last, ...task}) => {
        const source = sources.find((s) => s.name === task.name)!;
        const projectDir = path.join(tasksDir, task.name, "project");
        const block = extractBlock(fs.readFileSync(path.join(projectDir, task.targetFile), "utf8"), source);
        return {...task, projectDir, block, prompt: `Refactor this code from my project into a helper:\n\n\`\`\`${task.fence}\n${block}\n\`\`\``};
    });
    return cached;
}
