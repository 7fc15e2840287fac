import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {expect, it} from "vitest";
import {linesDiffer, readLinesLikeR} from "../../electron/core/evals/analysis/readLinesLikeR.ts";
import {runCommand} from "../../electron/core/evals/process/runCommand.ts";
import {toolchainCommands} from "../../electron/core/evals/toolchains.ts";

// helperbench's "changed" is !identical(readLines(a), readLines(b)): the port must read the same
// lines as R itself, byte for byte, on every kind of line ending and the odd bytes agents write.
const samples: Record<string, string> = {
    lf: "a\nb\n",
    "no final newline": "a\nb",
    crlf: "a\r\nb\r\n",
    "crlf, no final newline": "a\r\nb",
    "lone cr": "a\rb\r",
    "cr cr": "a\r\rb",
    "cr cr lf": "a\r\r\nb",
    "cr cr cr lf": "a\r\r\r\nb",
    "lf cr": "a\n\rb\n",
    "crlf crlf": "a\r\n\r\nb",
    "ends with cr cr": "a\r\r",
    "extra empty line": "a\nb\n\n",
    empty: "",
    "only a newline": "\n",
    "trailing space": "a \nb\n",
    "tab inside": "a\tb\n",
    bom: "\xef\xbb\xbfa\nb\n",
    "bom twice": "\xef\xbb\xbf\xef\xbb\xbfa\n",
    "bom alone on its line": "\xef\xbb\xbf\na\n",
    "bom inside": "x\xef\xbb\xbfa\n",
    "embedded nul": "a\0x\nb\n",
    "utf-8": "caf\xc3\xa9 \xe2\x82\xac\n",
    "invalid utf-8": "a\xff\xfe\nb\n"
};

it("reads the same lines as R's readLines on every sample", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-readlines-"));
    try {
        const files = Object.entries(samples).map(([name, text], i) => {
            const file = path.join(dir, `sample-${i}.txt`);
            fs.writeFileSync(file, Buffer.from(text, "latin1"));
            return {name, file, bytes: Buffer.from(text, "latin1")};
        });
        // Each line as hex bytes, so nothing is lost on the way out of R.
        const script =
            'for (f in commandArgs(TRUE)) cat(paste(vapply(readLines(f, warn = FALSE), function(l) paste(as.character(charToRaw(l)), collapse = ""), ""), collapse = " "), "\\n", sep = "")';
        const result = await runCommand(toolchainCommands().rscript, ["-e", script, ...files.map((f) => f.file)], {
            cwd: dir,
            timeoutMs: 60_000,
            env: {LANG: "C.UTF-8", LC_ALL: "C.UTF-8"}
        });
        expect(result.exitCode, result.stderr).toBe(0);
        const fromR = result.stdout.split("\n").slice(0, files.length);
        const hex = (line: string) => Buffer.from(line, "latin1").toString("hex");
        const ours = files.map((f) => readLinesLikeR(f.bytes).map(hex).join(" "));
        expect(Object.fromEntries(files.map((f, i) => [f.name, ours[i]]))).toEqual(Object.fromEntries(files.map((f, i) => [f.name, fromR[i]])));
    } finally {
        fs.rmSync(dir, {recursive: true, force: true});
    }
});

it("counts a file as changed only when a line differs", () => {
    const lines = (text: string) => Buffer.from(text, "latin1");
    expect(linesDiffer(lines("a\nb\n"), lines("a\r\nb"))).toBe(false);
    expect(linesDiffer(lines("a\nb\n"), lines("\xef\xbb\xbfa\nb\n"))).toBe(false);
    expect(linesDiffer(lines("a\nb\n"), lines("a\nb \n"))).toBe(true);
    expect(linesDiffer(lines("a\nb\n"), lines("a\nb\n\n"))).toBe(true);
    expect(linesDiffer(lines("a\nb\n"), lines("a\n\tb\n"))).toBe(true);
});
