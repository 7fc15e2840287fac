import {describe, expect, it} from "vitest";
import type {EvalOutsideAccess, EvalScoring} from "../../electron/api/EvalApi.ts";
import {classifyFailure} from "../../electron/core/evals/classifyFailure.ts";
import {emptyTrace, type SolverTrace} from "../../electron/core/evals/EvalSolver.ts";
import type {RefactorTask} from "../../electron/core/evals/tasks/refactorTasks.ts";

const task = {targetFile: "src/timesheet.js"} as RefactorTask;
const scoring = (value: "C" | "I"): EvalScoring => ({
    original: {value, explanation: value === "C" ? "Passed." : "src/timesheet.js is unchanged."},
    strict: {value, explanation: ""},
    checks: {targetExists: true, parses: true, parseError: null, changed: value === "C", tests: null, newFunctions: [], helperUsed: null, functionFound: true, blockInline: null}
});
const agentTrace = (outsideAccess: EvalOutsideAccess, extra: Partial<SolverTrace> = {}): SolverTrace => ({
    ...emptyTrace(),
    toolCalls: 2,
    agent: {exitCode: 0, timedOut: false, stoppedAtLimit: false, outputTail: "", editsWithTools: true, longestToolErrorStreak: 0, outsideAccess},
    ...extra
});
const wrote: EvalOutsideAccess = {writes: [{path: "/home/u/helper.js", outcome: "blocked"}, {path: "/tmp/x", outcome: "discarded"}], network: ["example.com"]};

describe("failures outside the workspace", () => {
    it("a failed sample that wrote outside its workspace failed on that, before a connection it tried", () => {
        expect(classifyFailure(task, agentTrace(wrote), scoring("I"))).toEqual({
            mode: "wrote_outside_workspace",
            detail: "The agent wrote outside its workspace (1 blocked, 1 discarded). src/timesheet.js is unchanged."
        });
    });

    it("a failed sample that only tried the network failed on that", () => {
        expect(classifyFailure(task, agentTrace({writes: [], network: ["127.0.0.1:5000"]}), scoring("I"))).toMatchObject({mode: "tried_network"});
    });

    it("a sample that ended on a limit, a crash or a provider error keeps that reason; a passed one has none", () => {
        expect(classifyFailure(task, agentTrace(wrote, {limitHit: "turns"}), scoring("I"))).toMatchObject({mode: "limit_reached"});
        expect(classifyFailure(task, {...agentTrace(wrote), agent: {...agentTrace(wrote).agent!, exitCode: 1}}, scoring("I"))).toMatchObject({mode: "agent_crashed"});
        expect(classifyFailure(task, agentTrace(wrote, {providerError: {message: "HTTP 500", status: 500, contextOverflow: false}}), scoring("I"))).toMatchObject({mode: "provider_error"});
        expect(classifyFailure(task, agentTrace(wrote), scoring("C"))).toBeNull();
    });

    it("a failed sample that stayed inside is classified as before", () => {
        expect(classifyFailure(task, agentTrace({writes: [], network: []}), scoring("I"))).toMatchObject({mode: "never_edited_target"});
    });
});
