import fs from "node:fs";
import {parse, type Node} from "acorn";
import {full} from "acorn-walk";
import type {FileAnalysis, FunctionInfo} from "./FunctionInfo.ts";

type AnyNode = Node & Record<string, unknown>;

/** Top-level functions of ES modules or scripts: declarations and `const f = () => …` / `function () {…}`, exported or not. */
export function analyzeJavaScript(files: readonly string[]): FileAnalysis[] {
    return files.map((file) => {
        const source = fs.readFileSync(file, "utf8");
        let program: AnyNode;
        try {
            program = parse(source, {ecmaVersion: "latest", sourceType: "module", locations: true, allowHashBang: true}) as unknown as AnyNode;
        } catch (error) {
            return {file, error: (error as Error).message, functions: []};
        }
        const functions: FunctionInfo[] = [];
        const add = (name: string, fn: AnyNode) => {
            const names = new Set<string>();
            full(fn, (node) => {
                if (node.type === "Identifier") names.add((node as {name: string}).name);
            });
            functions.push({
                name,
                startLine: fn.loc!.start.line,
                endLine: fn.loc!.end.line,
                names: [...names].sort(),
                text: source.slice(fn.start, fn.end)
            });
        };
        for (let statement of program.body as AnyNode[]) {
            if ((statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration") && statement.declaration)
                statement = statement.declaration as AnyNode;
            if (statement.type === "FunctionDeclaration" && statement.id) add((statement.id as AnyNode).name as string, statement);
            if (statement.type === "VariableDeclaration")
                for (const declarator of statement.declarations as AnyNode[]) {
                    const init = declarator.init as AnyNode | null;
                    const id = declarator.id as AnyNode;
                    if (init && id.type === "Identifier" && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression"))
                        add(id.name as string, init);
                }
        }
        return {file, error: null, functions};
    });
}
