import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {projectRoot} from "../utils/runCli.ts";

const electron = path.join(projectRoot, "electron");

/** Every relative module specifier of a file: static imports and re-exports (types too) and dynamic imports. */
const IMPORT = /(?:import|export)\s[^;"'`]*?from\s*["'](\.[^"']+)["']|import\s*\(\s*["'](\.[^"']+)["']\s*\)|import\s+["'](\.[^"']+)["']/g;

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        // Eval task projects are code the eval grades, not AgentFit's.
        if (entry.isDirectory()) return entry.name === "project" ? [] : sourceFiles(file);
        return /\.tsx?$/.test(entry.name) ? [file] : [];
    });
}

/** The folder-level import graph of electron/: folder → folders it imports from, each with one file that does. */
function folderGraph(): Map<string, Map<string, string>> {
    const graph = new Map<string, Map<string, string>>();
    for (const file of sourceFiles(electron)) {
        const from = path.relative(electron, path.dirname(file)) || ".";
        for (const match of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
            const target = path.resolve(path.dirname(file), (match[1] ?? match[2] ?? match[3])!);
            const to = path.relative(electron, path.dirname(target)) || ".";
            if (to === from || to.startsWith("..")) continue;
            const edges = graph.get(from) ?? new Map<string, string>();
            if (!edges.has(to)) edges.set(to, path.relative(projectRoot, file));
            graph.set(from, edges);
        }
    }
    return graph;
}

/** Cycles between folders (strongly connected components of more than one folder), Tarjan's algorithm. */
function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (folder: string) => {
        index.set(folder, index.size);
        low.set(folder, index.get(folder)!);
        stack.push(folder);
        onStack.add(folder);
        for (const next of graph.get(folder)?.keys() ?? []) {
            if (!index.has(next)) {
                visit(next);
                low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
            } else if (onStack.has(next)) low.set(folder, Math.min(low.get(folder)!, index.get(next)!));
        }
        if (low.get(folder) !== index.get(folder)) return;
        const component: string[] = [];
        let member: string;
        do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
        } while (member !== folder);
        if (component.length > 1) cycles.push(component.sort());
    };
    for (const folder of graph.keys()) if (!index.has(folder)) visit(folder);
    return cycles;
}

describe("folder import graph of electron/ (docs/DESIGN.md, Folder import directions)", () => {
    const graph = folderGraph();

    it("reads the imports of every folder", () => {
        expect(graph.get("core")?.has("core/engine")).toBe(true);
        expect(graph.get("engine")?.has("protocol")).toBe(true);
        expect(graph.get("core/evals/analysis")?.has("core/evals/process")).toBe(true);
    });

    it("has no upward import: a folder never imports from a folder that contains it", () => {
        const upward = [...graph].flatMap(([from, edges]) =>
            [...edges].filter(([to]) => to === "." || from.startsWith(`${to}/`)).map(([to, file]) => `${from} → ${to} (${file})`)
        );
        expect(upward).toEqual([]);
    });

    it("has no cycle between folders", () => {
        const cycles = folderCycles(graph).map((cycle) =>
            cycle.map((from) => `${from} → ${cycle.filter((to) => graph.get(from)?.has(to)).map((to) => `${to} (${graph.get(from)!.get(to)})`).join(", ")}`)
        );
        expect(cycles).toEqual([]);
    });
});
