import path from "node:path";
import {MODULE_VALUE} from "./analyzeJavaScript.ts";
import type {FunctionInfo, ImportTarget, ModuleAnalysis} from "./ModuleAnalysis.ts";

/** A top-level function of one of the analysed files. */
export interface FunctionRef {
    file: string;
    name: string;
}

export interface FunctionsUsedOptions {
    /**
     * Every file's top-level functions are visible from every other file without an import, as in
     * an R package (all files under R/ share the package's namespace).
     */
    sharedNamespace: boolean;
}

type Resolved = {kind: "function"; ref: FunctionRef} | {kind: "module"; file: string} | null;

/**
 * The top-level functions of the analysed files that `fn` (a function of `file`) uses: called or
 * passed as a value, directly, through an import under any name (`import {x as y}`,
 * `from m import x as y`, `const {x: y} = require(…)`), or as an attribute of an imported module
 * (`h.x()`, `m.x()`, `ledger.amounts.x()`), following re-exports. Files that were not analysed
 * (libraries, files outside the source folder) resolve to nothing.
 */
export function functionsUsed(modules: readonly ModuleAnalysis[], file: string, fn: FunctionInfo, options: FunctionsUsedOptions): FunctionRef[] {
    const byFile = new Map(modules.map((m) => [path.resolve(m.file), m]));
    const namespaceFunctions = (name: string): FunctionRef | null => {
        // Later files win, as when a package's files are loaded in collation order.
        const owners = [...byFile.keys()].sort().filter((f) => byFile.get(f)!.functions.some((g) => g.name === name));
        return owners.length > 0 ? {file: owners.at(-1)!, name} : null;
    };

    // `visiting` breaks import cycles (a imports b imports a).
    const inScope = (moduleFile: string, name: string, visiting: Set<string>): Resolved => {
        const key = `scope\0${moduleFile}\0${name}`;
        const module = byFile.get(moduleFile);
        if (!module || visiting.has(key)) return null;
        visiting.add(key);
        if (module.functions.some((g) => g.name === name)) return {kind: "function", ref: {file: moduleFile, name}};
        const imported = module.imports[name];
        if (imported) return target(imported, visiting);
        if (options.sharedNamespace) {
            const ref = namespaceFunctions(name);
            if (ref) return {kind: "function", ref};
        }
        for (const star of module.scopeStars) {
            const found = exported(star, name, visiting);
            if (found) return found;
        }
        return null;
    };

    const exported = (moduleFile: string, name: string, visiting: Set<string>): Resolved => {
        const key = `export\0${moduleFile}\0${name}`;
        const module = byFile.get(moduleFile);
        if (!module || visiting.has(key)) return null;
        visiting.add(key);
        const local = module.exports[name];
        if (local !== undefined) return inScope(moduleFile, local, visiting);
        for (const star of module.exportStars) {
            const found = exported(star, name, visiting);
            if (found) return found;
        }
        // A CommonJS module without `module.exports = x` is its own exports object.
        if (name === MODULE_VALUE) return {kind: "module", file: moduleFile};
        // A package's submodule is an attribute of the package (Python: ledger/__init__.py → ledger/amounts.py).
        if (path.basename(moduleFile) === "__init__.py") {
            const dir = path.dirname(moduleFile);
            for (const candidate of [path.join(dir, `${name}.py`), path.join(dir, name, "__init__.py")])
                if (byFile.has(candidate)) return {kind: "module", file: candidate};
        }
        return null;
    };

    const target = (imported: ImportTarget, visiting: Set<string>): Resolved => {
        if (!imported.file) return null;
        const moduleFile = path.resolve(imported.file);
        if (imported.name === null) return {kind: "module", file: moduleFile};
        return imported.local ? inScope(moduleFile, imported.name, visiting) : exported(moduleFile, imported.name, visiting);
    };

    const used = new Map<string, FunctionRef>();
    const own = path.resolve(file);
    for (const [root, ...attributes] of fn.references) {
        const visiting = new Set<string>();
        let resolved: Resolved = fn.imports[root!] ? target(fn.imports[root!]!, visiting) : inScope(own, root!, visiting);
        for (const attribute of attributes) {
            // An attribute of a function (`helper.call(…)`, `helper.__name__`) still uses the function.
            if (resolved?.kind !== "module") break;
            resolved = exported(resolved.file, attribute, visiting);
        }
        if (resolved?.kind === "function") used.set(`${resolved.ref.file}\0${resolved.ref.name}`, resolved.ref);
    }
    return [...used.values()];
}
