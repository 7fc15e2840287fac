import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {listServableModels} from "../../electron/core/downloads/listLocalModels.ts";
import {resolveModelReference} from "../../electron/core/downloads/resolveModelReference.ts";
import {openStore} from "../../electron/core/store/openStore.ts";
import {createTempHome} from "../../testkit/tempHome.ts";

const write = (file: string, bytes: number) => {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, Buffer.alloc(bytes));
    return file;
};

describe("what the Serve screen offers and what `serve --model` accepts", () => {
    it("lists GGUF files under the models folder, largest first, one entry per split model, hidden folders skipped", async () => {
        using home = createTempHome();
        await using store = await openStore({file: home.database});
        const small = write(path.join(home.models, "small.gguf"), 10);
        const split = write(path.join(home.models, "huggingface", "acme", "big-00001-of-00002.gguf"), 30);
        write(path.join(home.models, "huggingface", "acme", "big-00002-of-00002.gguf"), 30);
        write(path.join(home.models, ".trash", "old.gguf"), 50);
        write(path.join(home.models, "notes.txt"), 5);
        expect(listServableModels(home.models, store.models)).toEqual([
            {path: split, name: path.join("huggingface", "acme", "big-00001-of-00002.gguf"), bytes: 30},
            {path: small, name: "small.gguf", bytes: 10}
        ]);
    });

    it("resolves a folder holding one model to that model, and names the problem otherwise", async () => {
        using home = createTempHome();
        const only = write(path.join(home.models, "one", "m.gguf"), 10);
        expect(resolveModelReference("one", {modelsDir: home.models}).path).toBe(only);
        write(path.join(home.models, "two", "a.gguf"), 10);
        write(path.join(home.models, "two", "b.gguf"), 10);
        expect(() => resolveModelReference("two", {modelsDir: home.models})).toThrow(/holding 2 GGUF files; name one GGUF file/);
        expect(() => resolveModelReference("nothing", {modelsDir: home.models})).toThrow(expect.objectContaining({code: "MODEL_NOT_FOUND"}));
    });
});
