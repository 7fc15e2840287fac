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

describe("layer rules", () => {
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

    it("electron/api holds types only", async () => {
        expect(await lintAs("electron/api/X.ts", "export const notAType = 1;\n")).toEqual([expect.stringContaining("types only")]);
        expect(await lintAs("electron/api/X.ts", 'import fs from "node:fs";\nexport type A = typeof fs;\n')).toEqual(
            expect.arrayContaining([expect.stringContaining("imports only its own types"), expect.stringContaining("may only `import type`")])
        );
    });

    it("the CLI may not import Electron; allowed imports pass", async () => {
        expect(await lintAs("electron/cli/x.ts", 'import {app} from "electron";\nexport const a = app;\n')).toEqual([expect.stringContaining("Only electron/main")]);
        expect(await lintAs("electron/cli/x.ts", 'import {createAppService} from "../core/AppService.ts";\nexport const a = createAppService;\n')).toEqual([]);
        expect(await lintAs("renderer/src/x.ts", 'import type {AppApi} from "../../electron/api/AppApi.ts";\nexport type A = AppApi;\n')).toEqual([]);
    });
});
