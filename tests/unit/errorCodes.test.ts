import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {errorCodes, httpStatusOf} from "../../electron/shared/errorCodes.ts";
import {projectRoot} from "../utils/runCli.ts";

const CODE = String.raw`"([A-Z][A-Z0-9_]*[A-Z0-9])"`;
/** Where the app's code writes an error code: thrown, recorded, mapped or declared in a domain's code union. */
const codePatterns = [
    new RegExp(String.raw`new \w*Error\(\s*${CODE}`, "g"),
    new RegExp(String.raw`super\(${CODE}`, "g"),
    new RegExp(String.raw`ErrorCode = ${CODE}`, "g"),
    new RegExp(String.raw`\bcode: ${CODE}`, "g"),
    new RegExp(String.raw`(?:errorBody|knownErrorCode)\([^()]*,\s*${CODE}\)`, "g"),
    new RegExp(String.raw`invalidCode: ${CODE}`, "g"),
    new RegExp(String.raw`sendError\(reply, ${CODE}`, "g"),
    new RegExp(String.raw`codeByField\(\{[^}]*\}`, "g"),
    new RegExp(String.raw`type \w*ErrorCode =[^;]*;`, "g")
];

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return file.includes(`${path.sep}tasks${path.sep}`) ? [] : sourceFiles(file);
        return file.endsWith(".ts") && !file.endsWith("errorCodes.ts") ? [file] : [];
    });
}

/** Node's system error codes (ECONNRESET, ERR_STREAM_…), which the download code imitates before classifying them. */
const NODE_ERROR_CODE = /^(E[A-Z]+|ERR_[A-Z_]+)$/;

/** Every code the sources under electron/ use, with the first place each appears. */
function codesInSources(): Map<string, string> {
    const found = new Map<string, string>();
    for (const file of sourceFiles(path.join(projectRoot, "electron"))) {
        const text = fs.readFileSync(file, "utf8");
        for (const pattern of codePatterns)
            for (const match of text.matchAll(pattern))
                for (const [, code] of match[0].matchAll(new RegExp(CODE, "g")))
                    if (!NODE_ERROR_CODE.test(code!) && !found.has(code!)) found.set(code!, path.relative(projectRoot, file));
    }
    return found;
}

describe("error codes", () => {
    it("every code the app throws, records or maps has an HTTP status in electron/shared/errorCodes.ts", () => {
        const used = codesInSources();
        expect(used.size).toBeGreaterThan(80);
        const missing = [...used].filter(([code]) => !Object.hasOwn(errorCodes, code)).map(([code, file]) => `${code} (${file})`);
        expect(missing).toEqual([]);
    });

    it("lists no code the app no longer uses", () => {
        const used = codesInSources();
        expect(Object.keys(errorCodes).filter((code) => !used.has(code))).toEqual([]);
    });

    it("answers 4xx for the caller's input, 502 for what the app depends on, 500 only for bugs and unknown codes", () => {
        expect(httpStatusOf("INVALID_ARGUMENT")).toBe(400);
        expect(httpStatusOf("MODEL_AMBIGUOUS")).toBe(400);
        expect(httpStatusOf("MODEL_NOT_FOUND")).toBe(404);
        expect(httpStatusOf("ENGINE_BUILD_BUSY")).toBe(409);
        expect(httpStatusOf("GGUF_TRUNCATED")).toBe(422);
        expect(httpStatusOf("MODEL_LOAD_FAILED")).toBe(422);
        expect(httpStatusOf("GGUF_UNREACHABLE")).toBe(502);
        expect(httpStatusOf("DOWNLOAD_UNAUTHORIZED")).toBe(502);
        expect(httpStatusOf("INTERNAL")).toBe(500);
        expect(httpStatusOf("NOT_A_CODE")).toBe(500);
    });
});
