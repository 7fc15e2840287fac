import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {loadRefactorTasks, type RefactorTask} from "../../electron/core/evals/tasks/refactorTasks.ts";
import {copyProject} from "../../electron/core/evals/workspace.ts";
import {projectRoot} from "./runCli.ts";

/** Hand-made versions of each task's target file (tests/fixtures/evals/<task>/<outcome>.<ext>). */
export type Outcome = "refactored" | "nested-helper" | "syntax-error" | "behaviour-change" | "renamed-function" | "helper-not-called";

export const tasks = loadRefactorTasks();

export function task(name: string): RefactorTask {
    return tasks.find((t) => t.name === name)!;
}

export function outcomeText(task: RefactorTask, outcome: Outcome): string {
    const extension = path.extname(task.targetFile);
    return fs.readFileSync(path.join(projectRoot, "tests", "fixtures", "evals", task.name, `${outcome}${extension}`), "utf8");
}

/** Names of the hand-made workspaces of a task (tests/fixtures/evals/<task>/workspaces/<name>/). */
export function workspaceFixtures(task: RefactorTask): string[] {
    const dir = path.join(projectRoot, "tests", "fixtures", "evals", task.name, "workspaces");
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Lays a hand-made workspace over a copy of the project: its files replace or add to the project's. */
export function applyWorkspaceFixture(task: RefactorTask, name: string, dir: string): void {
    copyProject(path.join(projectRoot, "tests", "fixtures", "evals", task.name, "workspaces", name), dir);
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
