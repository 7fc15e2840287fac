import {describe, expect, it} from "vitest";
import {fileHasQuantization, modelDisplayName, quantizationInFileName, splitPartInfo, splitPartNames} from "../../electron/core/gguf/ggufFileNames.ts";
import {resolveHuggingFaceEndpoint, resolveHuggingFaceToken} from "../../electron/core/downloads/huggingFaceHub.ts";
import {parseDownloadReference, selectQuantization} from "../../electron/core/downloads/resolveDownloadPlan.ts";
import type {HubRepoListing} from "../../electron/core/downloads/huggingFaceHub.ts";

const HF = "https://huggingface.co";

describe("download references", () => {
    it("reads hf: URIs with a quantization, a file, or a revision", () => {
        expect(parseDownloadReference("hf:bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", HF)).toEqual({kind: "hf-quant", repo: "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF", revision: "main", quantization: "Q4_K_M"});
        expect(parseDownloadReference("hf:user/repo", HF)).toEqual({kind: "hf-quant", repo: "user/repo", revision: "main", quantization: null});
        expect(parseDownloadReference("huggingface:user/repo/sub/dir/model-Q8_0.gguf#v1.2", HF)).toEqual({kind: "hf-file", repo: "user/repo", revision: "v1.2", file: "sub/dir/model-Q8_0.gguf"});
        expect(parseDownloadReference("hf://user/repo:IQ4_XS", HF)).toMatchObject({kind: "hf-quant", quantization: "IQ4_XS"});
    });

    it("reads Hugging Face resolve and blob URLs as hf: files, other URLs as plain downloads", () => {
        expect(parseDownloadReference("https://huggingface.co/user/repo/resolve/main/a%20b-Q4_0.gguf?download=true", HF)).toEqual({kind: "hf-file", repo: "user/repo", revision: "main", file: "a b-Q4_0.gguf"});
        expect(parseDownloadReference("http://127.0.0.1:9999/user/repo/blob/abc123/m.gguf", "http://127.0.0.1:9999")).toMatchObject({kind: "hf-file", revision: "abc123"});
        expect(parseDownloadReference("https://example.com/models/m.gguf", HF)).toEqual({kind: "url", url: "https://example.com/models/m.gguf"});
        expect(parseDownloadReference("http://127.0.0.1:8080/m.gguf", HF)).toEqual({kind: "url", url: "http://127.0.0.1:8080/m.gguf"});
        expect(() => parseDownloadReference("http://example.com/m.gguf", HF)).toThrow(expect.objectContaining({code: "DOWNLOAD_REFERENCE_INVALID", message: expect.stringContaining("use https://")}));
    });

    it("reads everything else that looks like an id as a catalog id, and refuses the rest with advice", () => {
        expect(parseDownloadReference("qwen2.5-coder-7b-instruct:Q4_K_M", HF)).toEqual({kind: "catalog", id: "qwen2.5-coder-7b-instruct:Q4_K_M"});
        expect(parseDownloadReference("qwen2.5-coder-7b-instruct", HF)).toEqual({kind: "catalog", id: "qwen2.5-coder-7b-instruct"});
        for (const bad of ["hf:user", "hf:user/repo:Q4:extra", "hf:user/repo:Q4_0/file.gguf", "hf:us er/repo", "hf:user/repo/../x.gguf", "~/models/x.gguf", "ftp://x/y.gguf"])
            expect(() => parseDownloadReference(bad, HF), bad).toThrow(expect.objectContaining({code: "DOWNLOAD_REFERENCE_INVALID"}));
    });
});

describe("GGUF file names", () => {
    it("matches quantization tags on word boundaries", () => {
        expect(fileHasQuantization("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "Q4_K_M")).toBe(true);
        expect(fileHasQuantization("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "q4_k_m")).toBe(true);
        expect(fileHasQuantization("Qwen2.5-7B-Instruct-Q4_K_M.gguf", "Q4_K")).toBe(false);
        expect(fileHasQuantization("model.IQ4_XS.gguf", "Q4_XS")).toBe(false);
        expect(fileHasQuantization("Q8_0/model-Q8_0-00001-of-00002.gguf", "Q8_0")).toBe(true);
        expect(quantizationInFileName("gemma-3-12b-it-UD-Q4_K_XL.gguf")).toBe("Q4_K_XL");
        expect(quantizationInFileName("model-bf16-00002-of-00003.gguf")).toBe("BF16");
        expect(quantizationInFileName("mystery.gguf")).toBeNull();
    });

    it("knows split parts and display names", () => {
        expect(splitPartInfo("m-Q4_0-00002-of-00003.gguf")).toEqual({part: 2, parts: 3, base: "m-Q4_0"});
        expect(splitPartInfo("m-Q4_0.gguf")).toBeNull();
        expect(splitPartNames("m-00003-of-00003.gguf")).toEqual(["m-00001-of-00003.gguf", "m-00002-of-00003.gguf", "m-00003-of-00003.gguf"]);
        expect(modelDisplayName("/a/b/m-Q4_0-00001-of-00003.gguf")).toBe("m-Q4_0");
        expect(modelDisplayName("C:\\models\\m.Q8_0.gguf")).toBe("m.Q8_0");
    });
});

describe("quantization selection in a repository", () => {
    const listing = (paths: string[]): HubRepoListing => ({repo: "acme/m-GGUF", commit: "c0ffee", files: paths.map((path) => ({path, sizeBytes: 1, sha256: null}))});

    it("picks the file of a quantization, all parts of a split one, and Q4_K_M by default", () => {
        const repo = listing(["README.md", "m-Q4_K_M.gguf", "m-Q4_K_S.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf", "Q8_0/m-Q8_0-00001-of-00002.gguf", "mmproj-m-f16.gguf"]);
        expect(selectQuantization(repo, "Q4_K_S").map((f) => f.path)).toEqual(["m-Q4_K_S.gguf"]);
        expect(selectQuantization(repo, null).map((f) => f.path)).toEqual(["m-Q4_K_M.gguf"]);
        expect(selectQuantization(repo, "q8_0").map((f) => f.path)).toEqual(["Q8_0/m-Q8_0-00001-of-00002.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf"]);
        expect(() => selectQuantization(repo, "F16")).toThrow(expect.objectContaining({code: "DOWNLOAD_NOT_FOUND", message: expect.stringContaining("Available: Q4_K_M, Q4_K_S, Q8_0")}));
    });

    it("takes the only model when there is no Q4_K_M, and refuses ambiguity or missing parts", () => {
        expect(selectQuantization(listing(["only-Q6_K.gguf"]), null).map((f) => f.path)).toEqual(["only-Q6_K.gguf"]);
        expect(() => selectQuantization(listing(["a-Q8_0.gguf", "b-Q8_0.gguf"]), "Q8_0")).toThrow(expect.objectContaining({code: "DOWNLOAD_AMBIGUOUS"}));
        expect(() => selectQuantization(listing(["m-Q8_0-00001-of-00003.gguf", "m-Q8_0-00003-of-00003.gguf"]), "Q8_0")).toThrow(
            expect.objectContaining({code: "DOWNLOAD_NOT_FOUND", message: expect.stringContaining("missing part m-Q8_0-00002-of-00003.gguf")})
        );
        expect(() => selectQuantization(listing(["README.md"]), null)).toThrow(expect.objectContaining({message: expect.stringContaining("no GGUF model files")}));
    });
});

describe("Hugging Face settings", () => {
    it("honours an explicit endpoint, then HF_ENDPOINT; the token comes from HF_TOKEN or the token file", () => {
        expect(resolveHuggingFaceEndpoint(undefined, {})).toBe("https://huggingface.co");
        expect(resolveHuggingFaceEndpoint(undefined, {HF_ENDPOINT: "https://hf-mirror.com/"})).toBe("https://hf-mirror.com");
        expect(resolveHuggingFaceEndpoint("http://127.0.0.1:1234/", {HF_ENDPOINT: "https://hf-mirror.com"})).toBe("http://127.0.0.1:1234");
        expect(resolveHuggingFaceToken({HF_TOKEN: " hf_abc \n"})).toBe("hf_abc");
        expect(resolveHuggingFaceToken({HF_TOKEN_PATH: "/nonexistent/token", HF_HOME: "/nonexistent"})).toBeNull();
    });
});
