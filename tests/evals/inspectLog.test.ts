import {spawnSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {createAppService} from "../../electron/core/AppService.ts";
import {task} from "../../testkit/evalFixtures.ts";
import {failingAgents, solver} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

// Set AGENTFIT_INSPECT_PYTHON to a Python with inspect-ai installed to also parse the logs with
// Inspect's own reader (`pip install inspect-ai`); verified with inspect-ai 0.3.285.
const inspectPython = process.env.AGENTFIT_INSPECT_PYTHON;

describe("Inspect AI log export", () => {
    it("writes version-2 logs with samples, messages, tool calls and both scores", async () => {
        const js = task("js-timesheet-durations");
        await using server = await startScriptedOpenAi({agents: {solver: solver(js), bad: failingAgents(js).bad_tool_calls!}});
        using home = createTempHome();
        await using app = await createAppService({paths: home});
        const [good] = await app["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "solver", baseUrl: server.baseUrl}], epochs: 2});
        const [bad] = await app["eval.start"]({tasks: [js.name], models: [{provider: "openai-compatible", model: "bad", baseUrl: server.baseUrl}], epochs: 1});
        await expect.poll(async () => (await app["eval.run"]({runId: bad!.id})).status, {timeout: 60_000}).toBe("completed");

        const log = await app["eval.exportInspect"]({runId: good!.id});
        expect(log).toMatchObject({
            version: 2,
            status: "success",
            eval: {task: `agentfit/${js.name}`, model: "openai-compatible/solver", dataset: {samples: 1}, config: {epochs: 2}},
            results: {total_samples: 2, completed_samples: 2, scores: [{name: "original", metrics: {accuracy: {value: 1}}}, {name: "strict", metrics: {accuracy: {value: 1}}}]}
        });
        expect(log.samples.map((s) => [s.epoch, (s.scores as Record<string, {value: string}>).original!.value])).toEqual([[1, "C"], [2, "C"]]);
        const messages = log.samples[0]!.messages as {role: string; tool_calls?: {function: string; arguments: unknown}[]; function?: string}[];
        expect(messages[2]).toMatchObject({role: "assistant", tool_calls: [{function: "list_files", arguments: {path: "."}}]});
        expect(messages[3]).toMatchObject({role: "tool", function: "list_files"});

        const badLog = await app["eval.exportInspect"]({runId: bad!.id});
        const badMessages = badLog.samples[0]!.messages as {role: string; tool_calls?: {parse_error?: string}[]; error?: {type: string} | null}[];
        expect(badMessages.find((m) => m.tool_calls?.[0]?.parse_error)).toBeTruthy();
        expect(badMessages.filter((m) => m.role === "tool").map((m) => m.error?.type)).toEqual(["parsing", "parsing", "parsing", "parsing"]);
        expect((badLog.samples[0]!.scores as Record<string, {metadata: {failure_mode: string}}>).original!.metadata.failure_mode).toBe("bad_tool_calls");

        if (inspectPython) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-inspect-"));
            try {
                for (const [name, value] of [["good.json", log], ["bad.json", badLog]] as const) fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
                const check = spawnSync(
                    inspectPython,
                    ["-c", "import sys\nfrom inspect_ai.log import read_eval_log\nfor f in sys.argv[1:]:\n    log = read_eval_log(f)\n    print(log.status, len(log.samples))", ...["good.json", "bad.json"].map((f) => path.join(dir, f))],
                    {encoding: "utf8"}
                );
                expect(check.stderr).toBe("");
                expect(check.stdout.trim().split("\n")).toEqual(["success 2", "success 1"]);
            } finally {
                fs.rmSync(dir, {recursive: true, force: true});
            }
        }
    });
});
