import path from "node:path";
import {ESLint} from "eslint";
import {describe, expect, it} from "vitest";
import {projectRoot} from "../utils/runCli.ts";

// The dependency rule of DESIGN.md is enforced by lint: prove a forbidden import fails it.
const eslint = new ESLint({cwd: projectRoot});

async function lintAs(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, {filePath: path.join(projectRoot, file)});
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

// The first lint loads ESLint and its plugins: over 30 s on a busy machine.
describe("layer rules", {timeout: 120_000}, () => {
    it("the core may not import Electron, React, a transport or a shell", async () => {
        expect(await lintAs("electron/core/x.ts", 'import {app} from "electron";\nexport const a = app;\n')).toEqual([expect.stringContaining("Only electron/main")]);
        expect(await lintAs("electron/core/x.ts", 'import {useState} from "react";\nexport const a = useState;\n')).toEqual([expect.stringContaining("React belongs")]);
        expect(await lintAs("electron/core/x.ts", 'import {createAppHttpServer} from "../transports/http/createAppHttpServer.ts";\nexport const a = createAppHttpServer;\n')).toEqual([
            expect.stringContaining("never imports a transport")
        ]);
        expect(await lintAs("electron/core/x.ts", 'import {formatSnapshot} from "../cli/commands/probe.ts";\nexport const a = formatSnapshot;\n')).toEqual([
            expect.stringContaining("never import the shells")
        ]);
    });

    it("the renderer may not import Node built-ins, the core or Electron", async () => {
        expect(await lintAs("renderer/src/x.ts", 'import fs from "node:fs";\nexport const a = fs;\n')).toEqual([expect.stringContaining("no Node built-ins")]);
        expect(await lintAs("renderer/src/x.ts", 'import {probeHardware} from "../../electron/core/hardware/probeHardware.ts";\nexport const a = probeHardware;\n')).toEqual([
            expect.stringContaining("typed API client")
        ]);
        expect(await lintAs("renderer/src/x.ts", 'import {ipcRenderer} from "electron";\nexport const a = ipcRenderer;\n')).toEqual([expect.stringContaining("Only electron/main")]);
    });

    it("a renderer feature may not import another feature's code; what screens share lives in src/components", async () => {
        expect(await lintAs("renderer/src/features/verdict/X.tsx", 'import {ModelsScreen} from "../models/ModelsScreen.tsx";\nexport const a = ModelsScreen;\n')).toEqual([
            expect.stringContaining("another feature's code")
        ]);
        expect(await lintAs("renderer/src/features/verdict/X.tsx", 'import {Badge} from "../../components/Badge.tsx";\nimport {Chart} from "./VerdictCharts.tsx";\nexport const a = [Badge, Chart];\n')).toEqual([]);
        // The cross-feature rule adds to the renderer's rules rather than replacing them.
        expect(await lintAs("renderer/src/features/verdict/X.tsx", 'import fs from "node:fs";\nexport const a = fs;\n')).toEqual([expect.stringContaining("no Node built-ins")]);
    });

    it("electron/api holds types only", async () => {
        expect(await lintAs("electron/api/X.ts", "export const notAType = 1;\n")).toEqual([expect.stringContaining("types only")]);
        expect(await lintAs("electron/api/X.ts", 'import fs from "node:fs";\nexport type A = typeof fs;\n')).toEqual(
            expect.arrayContaining([expect.stringContaining("imports only its own types"), expect.stringContaining("may only `import type`")])
        );
    });

    it("app code reaches the engine process only through `import type`", async () => {
        const runtime = 'import {loadEngineModel} from "../engine/model/loadEngineModel.ts";\nexport const a = loadEngineModel;\n';
        expect(await lintAs("electron/core/x.ts", runtime)).toEqual([expect.stringContaining("only through `import type`")]);
        expect(await lintAs("electron/cli/x.ts", 'import {runSpeedTests} from "../engine/bench/runSpeedTests.ts";\nexport const a = runSpeedTests;\n')).toEqual([
            expect.stringContaining("only through `import type`")
        ]);
        expect(await lintAs("electron/core/bench/x.ts", 'const m = await import("../../engine/createEngineRuntime.ts");\nexport const a = m;\n')).toEqual([expect.stringContaining("only through `import type`")]);
        // The same specifier from a domain folder names the app side (electron/core/engine), which is allowed.
        expect(await lintAs("electron/core/bench/x.ts", 'import {prepareModelLoad} from "../engine/prepareModelLoad.ts";\nexport const a = prepareModelLoad;\n')).toEqual([]);
        expect(await lintAs("electron/core/x.ts", 'import type {LoadedEngineModel} from "../engine/model/loadEngineModel.ts";\nexport type A = LoadedEngineModel;\n')).toEqual([]);
    });

    it("the engine process imports only the protocol, the API types, shared helpers and packages", async () => {
        expect(await lintAs("electron/engine/x.ts", 'import {readGgufFacts} from "../core/gguf/readGgufFacts.ts";\nexport const a = readGgufFacts;\n')).toEqual([
            expect.stringContaining("The engine process imports only")
        ]);
        expect(await lintAs("electron/engine/server/x.ts", 'import type {Store} from "../../core/store/Store.ts";\nexport type A = Store;\n')).toEqual([expect.stringContaining("The engine process imports only")]);
        expect(await lintAs("electron/protocol/x.ts", 'import type {LoadedEngineModel} from "../engine/model/loadEngineModel.ts";\nexport type A = LoadedEngineModel;\n')).toEqual([
            expect.stringContaining("loaded by both processes")
        ]);
        const allowed = [
            'import {getLlama} from "node-llama-cpp";',
            'import fs from "node:fs";',
            'import {modelSettingsSchema} from "../../protocol/engineSettings.ts";',
            'import {AppError} from "../../shared/AppError.ts";',
            'import type {LoadedModel} from "../../api/EngineApi.ts";',
            'import {SequencePool} from "../model/SequencePool.ts";'
        ];
        expect(await lintAs("electron/engine/server/x.ts", `${allowed.join("\n")}\nexport const a = [getLlama, fs, modelSettingsSchema, AppError, SequencePool];\nexport type B = LoadedModel;\n`)).toEqual([]);
    });

    it("benchmarks and the test kit never reach into tests/", async () => {
        const fromTests = 'import {runCli} from "../tests/utils/runCli.ts";\nexport const a = runCli;\n';
        expect(await lintAs("bench/x.ts", fromTests)).toEqual([expect.stringContaining("do not import tests/")]);
        expect(await lintAs("testkit/x.ts", fromTests)).toEqual([expect.stringContaining("do not import tests/")]);
        expect(await lintAs("bench/x.ts", 'import {writeGgufModel} from "../testkit/gguf/writeGgufModel.ts";\nexport const a = writeGgufModel;\n')).toEqual([]);
    });

    it("the CLI may not import Electron; allowed imports pass", async () => {
        expect(await lintAs("electron/cli/x.ts", 'import {app} from "electron";\nexport const a = app;\n')).toEqual([expect.stringContaining("Only electron/main")]);
        expect(await lintAs("electron/cli/x.ts", 'import {createAppService} from "../core/AppService.ts";\nexport const a = createAppService;\n')).toEqual([]);
        expect(await lintAs("renderer/src/x.ts", 'import type {AppApi} from "../../electron/api/AppApi.ts";\nexport type A = AppApi;\n')).toEqual([]);
    });
});
