import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {projectRoot} from "../utils/runCli.ts";

// README.md is the landing page and docs/ the manual: every relative link between them (and to
// source files) must lead to a file that exists, and every #anchor to a heading of that file.
const pages = ["README.md", ...fs.readdirSync(path.join(projectRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[`*_]/g, "")
        .replace(/[^\p{L}\p{N}\s-]/gu, "")
        .replace(/\s/g, "-");
}

function anchorsIn(file: string): Set<string> {
    const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

describe("documentation links", () => {
    it.each(pages)("%s links only to files and headings that exist", (page) => {
        const file = path.join(projectRoot, page);
        const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
        const broken: string[] = [];
        for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
            if (/^[a-z]+:/i.test(target!)) continue;
            const [relative, anchor] = target!.split("#") as [string, string | undefined];
            const linked = relative ? path.resolve(path.dirname(file), decodeURIComponent(relative)) : file;
            if (!fs.existsSync(linked)) broken.push(`${target} (no such file)`);
            else if (anchor && linked.endsWith(".md") && !anchorsIn(linked).has(anchor)) broken.push(`${target} (no such heading)`);
        }
        expect(broken).toEqual([]);
    });
});
