/** A top-level function found in a source file, as the strict scorer needs it. */
export interface FunctionInfo {
    name: string;
    startLine: number;
    endLine: number;
    /** Every identifier the function's body refers to (calls, and functions passed as values). */
    names: string[];
    /** The function's source text. */
    text: string;
}

export interface FileAnalysis {
    /** Path as given. */
    file: string;
    /** Why the file could not be parsed; its functions are then unknown. */
    error: string | null;
    functions: FunctionInfo[];
}
