import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {functionsUsed} from "../../electron/core/evals/analysis/functionsUsed.ts";
import {createToolchains, type TaskLanguage} from "../../electron/core/evals/toolchains.ts";

// Which top-level functions a function uses, read by each language's real analyzer from small
// projects: the forms agents write that the scored workspaces do not all cover.

const toolchains = createToolchains();

/** The functions `fn` of `file` uses, as "file:name", in a project made of `files`. */
async function used(language: TaskLanguage, files: Record<string, string>, file: string, fn: string): Promise<string[]> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-uses-"));
    try {
        for (const [name, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(root, name)), {recursive: true});
            fs.writeFileSync(path.join(root, name), text);
        }
        const toolchain = toolchains[language];
        const sources = Object.keys(files)
            .filter((name) => toolchain.sourceExtensions.some((ext) => name.endsWith(ext)))
            .map((name) => path.join(root, name));
        const modules = await toolchain.analyze(sources, root);
        expect(modules.filter((m) => m.error).map((m) => m.error)).toEqual([]);
        const module = modules.find((m) => m.file === path.join(root, file))!;
        const target = module.functions.find((f) => f.name === fn)!;
        return functionsUsed(modules, module.file, target, {sharedNamespace: toolchain.sharedNamespace})
            .map((ref) => `${path.relative(root, ref.file)}:${ref.name}`)
            .sort();
    } finally {
        fs.rmSync(root, {recursive: true, force: true});
    }
}

describe.concurrent("JavaScript (acorn and eslint-scope)", () => {
    const helper = {"src/d.js": "export function parse(text) { return Number(text); }\n"};
    const js = (files: Record<string, string>) => used("javascript", files, "src/main.js", "main");

    it("a default import under another name", async () => {
        expect(
            await js({"src/d.js": "export default function parse(t) { return t; }\n", "src/main.js": 'import toNumber from "./d.js";\nexport function main(x) { return toNumber(x); }\n'})
        ).toEqual(["src/d.js:parse"]);
    });
    it("through `export * from` in an index module", async () => {
        expect(
            await js({...helper, "src/index.js": 'export * from "./d.js";\n', "src/main.js": 'import {parse} from "./index.js";\nexport function main(x) { return parse(x); }\n'})
        ).toEqual(["src/d.js:parse"]);
    });
    it("a CommonJS module whose module.exports is the function", async () => {
        expect(
            await js({
                "src/d.cjs": "function parse(t) { return t; }\nmodule.exports = parse;\n",
                "src/main.js": 'import {createRequire} from "node:module";\nconst require = createRequire(import.meta.url);\nconst toNumber = require("./d.cjs");\nexport function main(x) { return toNumber(x); }\n'
            })
        ).toEqual(["src/d.cjs:parse"]);
    });
    it("exports.x = x, read as an attribute of the required module", async () => {
        expect(
            await js({
                "src/d.cjs": "function parse(t) { return t; }\nexports.parse = parse;\n",
                "src/main.js": 'import {createRequire} from "node:module";\nconst require = createRequire(import.meta.url);\nconst d = require("./d.cjs");\nexport function main(x) { return d["parse"](x); }\n'
            })
        ).toEqual(["src/d.cjs:parse"]);
    });
    it("a require() inside the function", async () => {
        expect(
            await used(
                "javascript",
                {
                    "src/d.cjs": "function parse(t) { return t; }\nmodule.exports = {parse};\n",
                    "src/main.cjs": 'function main(x) {\n  const {parse: toNumber} = require("./d.cjs");\n  return toNumber(x);\n}\nmodule.exports = {main};\n'
                },
                "src/main.cjs",
                "main"
            )
        ).toEqual(["src/d.cjs:parse"]);
    });
    it("passed as a value, and through a module-level alias", async () => {
        expect(
            await js({
                "src/main.js": "function parse(t) { return Number(t); }\nconst toNumber = parse;\nexport function main(xs) { return xs.map(toNumber); }\n"
            })
        ).toEqual(["src/main.js:parse"]);
    });
    it("a parameter or a nested function of the same name hides the top-level one", async () => {
        expect(await js({"src/main.js": "function parse(t) { return t; }\nexport function main(parse, x) { return parse(x); }\n"})).toEqual([]);
        expect(
            await js({"src/main.js": "function parse(t) { return t; }\nexport function main(x) {\n  function parse(t) { return -t; }\n  return parse(x);\n}\n"})
        ).toEqual([]);
    });
    it("a name only in a comment, a string or a property key is not a use", async () => {
        expect(
            await js({"src/main.js": 'function parse(t) { return t; }\nexport function main(x) {\n  // parse(x)\n  return {parse: `parse(${x})`, y: x.parse};\n}\n'})
        ).toEqual([]);
    });
});

describe.concurrent("Python (ast and symtable)", () => {
    const amounts = {"ledger/__init__.py": "", "ledger/amounts.py": "def parse(text):\n    return float(text)\n"};
    const py = (main: string) => used("python", {...amounts, "ledger/main.py": main}, "ledger/main.py", "main");

    it("a star import", async () => {
        expect(await py("from .amounts import *\n\ndef main(x):\n    return parse(x)\n")).toEqual(["ledger/amounts.py:parse"]);
    });
    it("import a.b as c, then c.f()", async () => {
        expect(await py("import ledger.amounts as am\n\ndef main(x):\n    return am.parse(x)\n")).toEqual(["ledger/amounts.py:parse"]);
    });
    it("from package import module, then module.f()", async () => {
        expect(await py("from ledger import amounts\n\ndef main(x):\n    return amounts.parse(x)\n")).toEqual(["ledger/amounts.py:parse"]);
    });
    it("inside a comprehension, a lambda and a nested function", async () => {
        expect(await py("from .amounts import parse as p\n\ndef main(xs):\n    return [p(x) for x in xs]\n")).toEqual(["ledger/amounts.py:parse"]);
        expect(await py("from .amounts import parse as p\n\ndef main(xs):\n    return sorted(xs, key=lambda x: p(x))\n")).toEqual(["ledger/amounts.py:parse"]);
        expect(await py("from .amounts import parse\n\ndef main(x):\n    def inner():\n        return parse(x)\n    return inner()\n")).toEqual([
            "ledger/amounts.py:parse"
        ]);
    });
    it("through a module-level alias", async () => {
        expect(await py("from .amounts import parse\n\nto_number = parse\n\ndef main(x):\n    return to_number(x)\n")).toEqual(["ledger/amounts.py:parse"]);
    });
    it("a parameter, a local assignment or a nested def of the same name hides the helper", async () => {
        expect(await py("from .amounts import parse\n\ndef main(x, parse=float):\n    return parse(x)\n")).toEqual([]);
        expect(await py("from .amounts import parse\n\ndef main(x):\n    parse = float\n    return parse(x)\n")).toEqual([]);
        expect(await py("from .amounts import parse\n\ndef main(x):\n    def parse(t):\n        return t\n    return parse(x)\n")).toEqual([]);
    });
    it("a name only in a comment or a string is not a use", async () => {
        expect(await py('from .amounts import parse\n\ndef main(x):\n    """Uses parse(x)."""\n    # parse(x)\n    return "parse(x)"\n')).toEqual([]);
    });
});

describe.concurrent("R (parse())", () => {
    const pkg = {DESCRIPTION: "Package: shelf\nVersion: 0.1\n", "R/helper.R": "strip <- function(lines) lines[-1]\n"};
    const r = (main: string) => used("r", {...pkg, "R/main.R": main}, "R/main.R", "main");

    it("a function of another file of the package, by name, passed as a value, or qualified by the package", async () => {
        expect(await r("main <- function(x) strip(x)\n")).toEqual(["R/helper.R:strip"]);
        expect(await r("main <- function(x) lapply(x, strip)\n")).toEqual(["R/helper.R:strip"]);
        expect(await r("main <- function(x) shelf::strip(x)\n")).toEqual(["R/helper.R:strip"]);
        expect(await r("main <- function(x) shelf:::strip(x)\n")).toEqual(["R/helper.R:strip"]);
    });
    it("another package's function of the same name, a list element or a local binding is not the helper", async () => {
        expect(await r("main <- function(x) other::strip(x)\n")).toEqual([]);
        expect(await r("main <- function(x) x$strip(x)\n")).toEqual([]);
        expect(await r("main <- function(x) {\n  strip <- function(l) l\n  strip(x)\n}\n")).toEqual([]);
        expect(await r("main <- function(x, strip = identity) strip(x)\n")).toEqual([]);
    });
    it("a name only in a comment or a string is not a use", async () => {
        expect(await r('main <- function(x) {\n  # strip(x)\n  "strip(x)"\n}\n')).toEqual([]);
    });
});
