import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterEach, beforeEach, describe, expect, it, vi} from "vitest";
import {
    buildFolderLocked,
    clearStagedBuilds,
    EngineBinaryManager,
    findLocalCpuBuild,
    findStagedCpuBuilds,
    liveBuildFolder,
    nodeLlamaCppLayout,
    promoteStagedBuild,
    verifyEngineBuild,
    type NodeLlamaCppLayout
} from "../../electron/core/engine/engineBinary.ts";

// How a build compiled beside the live one is put in place, on node-llama-cpp's folder layout in a
// temporary directory (no compiler involved; tests/build runs the real build).

let root: string;
let layout: NodeLlamaCppLayout;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-nlc-"));
    layout = nodeLlamaCppLayout(root);
});
afterEach(() => fs.rmSync(root, {recursive: true, force: true}));

/** A complete CPU build as node-llama-cpp leaves it, its addon `marker` bytes long. */
function writeBuild(dir: string, marker: number) {
    fs.mkdirSync(path.join(dir, "Release"), {recursive: true});
    fs.writeFileSync(path.join(dir, "Release", "_nlcBuildMetadata.json"), JSON.stringify({buildOptions: {gpu: false, llamaCpp: {release: "b7000"}}}));
    fs.writeFileSync(path.join(dir, "Release", "llama-addon.node"), Buffer.alloc(marker));
    fs.writeFileSync(path.join(dir, "CMakeCache.txt"), "GGML_NATIVE:UNINITIALIZED=ON\nOpenMP_CXX_FLAGS:STRING=-fopenmp\n");
    fs.writeFileSync(path.join(dir, "buildDone.status"), "");
}

const stagedDir = () => `${liveBuildFolder(layout)}-3h2p633521x2pa4v6u392m1i2x1n1k45282b25`;

describe("putting a finished engine build in place", () => {
    it("a build in its staging folder is not what engines load until it is promoted", () => {
        writeBuild(stagedDir(), 2000);
        expect(findLocalCpuBuild(layout)).toBeNull();
        expect(findStagedCpuBuilds(layout).map((b) => b.folder)).toEqual([stagedDir()]);

        const promoted = promoteStagedBuild(layout, stagedDir());
        expect(promoted).toMatchObject({folder: liveBuildFolder(layout), native: true, openmp: true, llamaCppRelease: "b7000", bytes: expect.any(Number)});
        expect(findLocalCpuBuild(layout)).toMatchObject({folder: liveBuildFolder(layout)});
        expect(fs.readdirSync(layout.localBuildsDir)).toEqual([path.basename(liveBuildFolder(layout))]);
    });

    it("a rebuild replaces the live build whole, and node-llama-cpp's lastBuild.json follows it", () => {
        writeBuild(liveBuildFolder(layout), 1000);
        writeBuild(stagedDir(), 3000);
        fs.writeFileSync(path.join(layout.llamaDir, "lastBuild.json"), JSON.stringify({folderName: path.basename(stagedDir())}));

        promoteStagedBuild(layout, stagedDir());
        expect(fs.statSync(path.join(liveBuildFolder(layout), "Release", "llama-addon.node")).size).toBe(3000);
        expect(fs.readdirSync(layout.localBuildsDir)).toEqual([path.basename(liveBuildFolder(layout))]);
        expect(JSON.parse(fs.readFileSync(path.join(layout.llamaDir, "lastBuild.json"), "utf8"))).toEqual({folderName: path.basename(liveBuildFolder(layout))});
    });

    it("refuses to promote a half-finished build and keeps the live one", () => {
        writeBuild(liveBuildFolder(layout), 1000);
        writeBuild(stagedDir(), 3000);
        fs.rmSync(path.join(stagedDir(), "buildDone.status"));
        expect(() => promoteStagedBuild(layout, stagedDir())).toThrow(expect.objectContaining({code: "ENGINE_BUILD_FAILED"}));
        expect(fs.statSync(path.join(liveBuildFolder(layout), "Release", "llama-addon.node")).size).toBe(1000);
    });

    it("clears what interrupted builds left, but not a build another process holds the lock of", () => {
        writeBuild(liveBuildFolder(layout), 1000);
        const leftover = `${liveBuildFolder(layout)}-aaaa`;
        const running = `${liveBuildFolder(layout)}-bbbb`;
        fs.mkdirSync(path.join(leftover, "CMakeFiles"), {recursive: true});
        fs.mkdirSync(`${leftover}.lock`);
        const stale = new Date(Date.now() - 60_000);
        fs.utimesSync(`${leftover}.lock`, stale, stale);
        fs.mkdirSync(running);
        fs.mkdirSync(`${running}.lock`);
        expect(buildFolderLocked(running)).toBe(true);
        expect(buildFolderLocked(leftover)).toBe(false);

        expect(clearStagedBuilds(layout)).toEqual({busy: [running]});
        expect(fs.readdirSync(layout.localBuildsDir).sort()).toEqual([path.basename(liveBuildFolder(layout)), path.basename(running), `${path.basename(running)}.lock`]);
        // The process that ran the build clears its own folder even with the lock still fresh.
        clearStagedBuilds(layout, {evenLocked: true});
        expect(fs.readdirSync(layout.localBuildsDir)).toEqual([path.basename(liveBuildFolder(layout))]);
    });

    it("names the binary the next engine process loads, so a rebuild counts as a change", () => {
        const manager = new EngineBinaryManager({layout});
        expect(manager.nextBinaryId()).toBe("prebuilt");
        writeBuild(stagedDir(), 2000);
        expect(manager.nextBinaryId()).toBe("prebuilt");
        promoteStagedBuild(layout, stagedDir());
        const first = manager.nextBinaryId();
        expect(first).toMatch(/^local@/);
        writeBuild(stagedDir(), 2000);
        const later = new Date(Date.now() + 5000);
        fs.utimesSync(path.join(stagedDir(), "buildDone.status"), later, later);
        promoteStagedBuild(layout, stagedDir());
        expect(manager.nextBinaryId()).toMatch(/^local@/);
        expect(manager.nextBinaryId()).not.toBe(first);
    });
});

describe("the local build's size", () => {
    afterEach(() => vi.restoreAllMocks());

    /** Folders read by `work` inside the live build folder: what sizing the build walks. */
    function foldersWalked(work: () => unknown): string[] {
        const readdir = vi.spyOn(fs, "readdirSync");
        work();
        const walked = readdir.mock.calls.map(([dir]) => String(dir)).filter((dir) => dir.startsWith(liveBuildFolder(layout)));
        readdir.mockRestore();
        return walked;
    }
    const addonBytes = 2000;

    it("is measured once per build: a status poll does not walk the build's folder", async () => {
        writeBuild(liveBuildFolder(layout), addonBytes);
        const manager = new EngineBinaryManager({layout});
        expect(foldersWalked(() => manager.nextBinaryId())).not.toEqual([]);
        const measured = findLocalCpuBuild(layout)!.bytes;
        expect(measured).toBeGreaterThanOrEqual(addonBytes);

        expect(foldersWalked(() => manager.nextBinaryId())).toEqual([]);
        expect(foldersWalked(() => findLocalCpuBuild(layout))).toEqual([]);
        const readdir = vi.spyOn(fs, "readdirSync");
        const status = await manager.status();
        expect(readdir.mock.calls.filter(([dir]) => String(dir).startsWith(liveBuildFolder(layout)))).toEqual([]);
        expect(status.local?.bytes).toBe(measured);
    });

    it("is measured again after a rebuild is put in place, and after the build was removed and built again", () => {
        writeBuild(liveBuildFolder(layout), addonBytes);
        const first = findLocalCpuBuild(layout)!.bytes;

        // Possibly finished in the same millisecond (builtAt alike): another file all the same.
        writeBuild(stagedDir(), addonBytes + 5000);
        promoteStagedBuild(layout, stagedDir());
        expect(findLocalCpuBuild(layout)!.bytes).toBe(first + 5000);

        fs.rmSync(liveBuildFolder(layout), {recursive: true});
        expect(findLocalCpuBuild(layout)).toBeNull();
        // Built again in the same folder: it finished later than the one before (a build takes minutes).
        writeBuild(liveBuildFolder(layout), addonBytes + 100);
        const later = new Date(Date.now() + 60_000);
        fs.utimesSync(path.join(liveBuildFolder(layout), "buildDone.status"), later, later);
        expect(findLocalCpuBuild(layout)!.bytes).toBe(first + 100);
    });
});

describe("verifying a build before it is used", () => {
    it("a file that is no addon is refused with the reason, in a process of its own", async () => {
        writeBuild(stagedDir(), 100);
        await expect(verifyEngineBuild(path.join(stagedDir(), "Release"))).rejects.toMatchObject({
            code: "ENGINE_BUILD_FAILED",
            message: expect.stringMatching(/does not load on this machine .*binary in use stays/)
        });
    });

    it.runIf(process.platform === "linux" && process.arch === "x64")("a real addon reports the build it is (the prebuilt one here)", async () => {
        const prebuilt = path.join(nodeLlamaCppLayout().packageDir, "..", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");
        expect(await verifyEngineBuild(prebuilt)).toMatch(/CPU/);
    });
});
