import path from "node:path";
import type {Command} from "commander";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {openStore} from "../../electron/core/store/openStore.ts";
import {createProgram} from "../../electron/cli/createProgram.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {solvers} from "../../testkit/scriptedAgents.ts";
import {startScriptedOpenAi, type ScriptedOpenAi} from "../../testkit/scriptedOpenAi.ts";
import {serveFiles, type FileServer} from "../../testkit/serveFiles.ts";
import {createTempHome, type TempHome} from "../../testkit/tempHome.ts";
import {startFakeHuggingFace, type FakeHuggingFace} from "../utils/fakeHubTreeApi.ts";
import {runCli} from "../utils/runCli.ts";

// Every command that documents --json, found in the CLI's own command tree (a new one is covered
// without editing this file), run as a real process against a prepared data folder: its stdout
// must parse as JSON.

const KEY = "sk-json-test-5c1e";
const js = "js-timesheet-durations";

/** "verdict thresholds" → the command, for every command in the tree that declares --json. */
function commandsWithJson(): string[] {
    const found: string[] = [];
    const walk = (command: Command, prefix: string[]) => {
        for (const sub of command.commands) {
            const name = [...prefix, sub.name()];
            if (sub.options.some((option) => option.long === "--json")) found.push(name.join(" "));
            walk(sub, name);
        }
    };
    walk(createProgram(), []);
    return found;
}

/** Not run here, with the reason. */
const notRun: Record<string, string> = {
    "engine build": "compiles llama.cpp for minutes and holds node-llama-cpp's build lock; tests/build covers it",
    calibrate: "needs a model of 256 MB or more and benchmarks it for minutes; tests/api/models.test.ts covers its refusal"
};

let home: TempHome;
let openAi: ScriptedOpenAi;
let files: FileServer;
let hub: FakeHuggingFace;
let env: NodeJS.ProcessEnv;
let model: string;

/** The arguments each command needs besides --json, against the prepared folder; none when absent. */
const argumentsOf = (): Record<string, string[]> => ({
    "eval run": ["--model", `openai:solver-${js}`, "--task", js, "--runs", "1"],
    "eval resume": ["1"],
    "eval show": ["1"],
    pull: [`${files.url}/pulled.gguf`],
    import: [model],
    inspect: [model],
    "catalog refresh": ["--model", "qwen2.5-coder-1.5b-instruct"],
    bench: ["--model", "tiny", "--pp", "16", "--tg", "4", "--reps", "1", "--threads", "1", "--no-ttft"],
    "bench show": ["1"],
    "verdict thresholds": ["minRuns=3"],
    answer: ["--plan", "--model", model],
    "machines import": [path.join(home.home, "report.json")]
});

beforeAll(async () => {
    home = createTempHome();
    openAi = await startScriptedOpenAi({agents: solvers(), apiKey: KEY});
    model = writeGgufModel(path.join(home.models, "tiny.gguf"), {...ggufModelPresets.tiny, contextLength: 1024}).path;
    const pulled = writeGgufModel(path.join(home.home, "pulled.gguf"), {...ggufModelPresets.tiny, contextLength: 1024, type: "Q8_0"}).path;
    files = await serveFiles({"/pulled.gguf": pulled});
    hub = await startFakeHuggingFace({"bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF": [{path: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", size: 986_048_384, sha256: "c".repeat(64)}]});
    env = {...home.env, OPENAI_API_KEY: KEY, AGENTFIT_OPENAI_BASE_URL: openAi.baseUrl, HF_ENDPOINT: hub.url};
    // A finished benchmark run and an eval run that can be resumed.
    const bench = await runCli(["bench", ...argumentsOf().bench!], env, {timeoutMs: 300_000});
    expect(bench.code, bench.stderr).toBe(0);
    const evalRun = await runCli(["eval", ...argumentsOf()["eval run"]!], env, {timeoutMs: 300_000});
    expect(evalRun.code, evalRun.stderr).toBe(0);
    const report = await runCli(["report", "--format", "json", "--out", path.join(home.home, "report.json")], env, {timeoutMs: 300_000});
    expect(report.code, report.stderr).toBe(0);
    await using store = await openStore({file: home.database});
    store.evals.setRunStatus(1, "interrupted", {owner: null});
}, 600_000);

afterAll(async () => {
    await files?.[Symbol.asyncDispose]();
    await hub?.[Symbol.asyncDispose]();
    await openAi?.[Symbol.asyncDispose]();
    home?.[Symbol.dispose]();
});

describe("every command's --json", () => {
    const commands = commandsWithJson();

    it("finds the commands in the CLI's tree", () => {
        expect(commands).toEqual(expect.arrayContaining(["probe", "verdict", "verdict thresholds", "bench", "bench runs", "bench show", "eval run", "models"]));
    });

    it.each(commands.filter((c) => !(c in notRun)))("agentfit %s --json prints JSON", async (command) => {
        const result = await runCli([...command.split(" "), ...(argumentsOf()[command] ?? []), "--json"], env, {timeoutMs: 300_000});
        expect(result.code, result.stderr).toBe(0);
        expect(() => JSON.parse(result.stdout), `stdout of agentfit ${command} --json:\n${result.stdout.slice(0, 500)}`).not.toThrow();
    }, 400_000);

    it("names its reason for each command it does not run", () => {
        for (const command of Object.keys(notRun)) expect(commands).toContain(command);
    });
});
