/**
 * What the strict scorer needs from a source file, the same for every language: its top-level
 * functions with the code they contain and the names they use, and how its module-level names
 * reach other files (imports, requires, exports). Each language's own parser fills it in.
 */

/** One token of code as the language's tokenizer sees it; comments never become tokens. */
export interface CodeToken {
    kind: "name" | "string" | "number" | "operator" | "regex";
    /** Names, numbers and operators as written; a string's value (quotes removed, escapes decoded); a regular expression's pattern. */
    text: string;
}

/** What an imported name stands for: `name` as exported by the module in `file`, or the module itself when `name` is null. */
export interface ImportTarget {
    /** Absolute path; null for a module that is not one of the analysed files (a library, the standard library, a missing file). */
    file: string | null;
    name: string | null;
    /** Look `name` up among the module's own names rather than its exports (a plain alias `y = x`). */
    local?: boolean;
}

/** A top-level function. */
export interface FunctionInfo {
    name: string;
    startLine: number;
    endLine: number;
    /**
     * The names the function's code uses that are not bound inside it, each followed by the
     * attributes read from it: ["frontmatter_end"], ["h", "parseDuration"], ["ledger", "amounts", "parse_amount"].
     * Names bound inside it (parameters, local variables, nested functions) are left out.
     */
    references: string[][];
    /** Names bound by imports inside the function's body (a Python import, a `require()`). */
    imports: Record<string, ImportTarget>;
    /** The function's code, comments left out (nested functions included). */
    tokens: CodeToken[];
}

export interface ModuleAnalysis {
    /** Absolute path as given. */
    file: string;
    /** Why the file could not be parsed; everything else is then empty. */
    error: string | null;
    functions: FunctionInfo[];
    /** Module-level names bound to another module's name or to a module: imports, requires, plain aliases (`y = x`). */
    imports: Record<string, ImportTarget>;
    /** What other modules get from this one: exported name → the name it has in this module. */
    exports: Record<string, string>;
    /** Modules whose every export is in this module's scope (Python's `from m import *`). */
    scopeStars: string[];
    /** Modules whose every export this module exports too (`export * from`, Python's `from m import *`). */
    exportStars: string[];
}

/** An empty analysis of a file that could not be read or parsed. */
export function failedAnalysis(file: string, error: string): ModuleAnalysis {
    return {file, error, functions: [], imports: {}, exports: {}, scopeStars: [], exportStars: []};
}
