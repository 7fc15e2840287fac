import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {loadRefactorTasks, type RefactorTask} from "../electron/core/evals/tasks/refactorTasks.ts";
import {copyProject} from "../electron/core/evals/workspace.ts";

/** Hand-made versions of each task's target file (testkit/fixtures/evals/<task>/<outcome>.<ext>). */
export type Outcome = "refactored" | "nested-helper" | "syntax-error" | "behaviour-change" | "renamed-function" | "helper-not-called";

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "evals");

export const tasks = loadRefactorTasks();

export function task(name: string): RefactorTask {
    return tasks.find((t) => t.name === name)!;
}

export function outcomeText(task: RefactorTask, outcome: Outcome): string {
    const extension = path.extname(task.targetFile);
    return fs.readFileSync(path.join(fixturesDir, task.name, `${outcome}${extension}`), "utf8");
}

/** Names of the hand-made workspaces of a task (testkit/fixtures/evals/<task>/workspaces/<name>/). */
export function workspaceFixtures(task: RefactorTask): string[] {
    const dir = path.join(fixturesDir, task.name, "workspaces");
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Lays a hand-made workspace over a copy of the project: its files replace or add to the project's. */
export function applyWorkspaceFixture(task: RefactorTask, name: string, dir: string): void {
    copyProject(path.join(fixturesDir, task.name, "workspaces", name), dir);
}

/** A copy of the task's project in a temp folder, removed on dispose. */
export function workspaceCopy(task: RefactorTask): {dir: string} & Disposable {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-test-ws-"));
    copyProject(task.projectDir, dir);
    return {
        dir,
        [Symbol.dispose]() {
            fs.rmSync(dir, {recursive: true, force: true});
        }
    };
}
