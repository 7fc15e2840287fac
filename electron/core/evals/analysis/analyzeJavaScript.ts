import fs from "node:fs";
import path from "node:path";
import {parse, type Token} from "acorn";
import {analyze as analyzeScopes, type Reference, type Scope, type ScopeManager} from "eslint-scope";
import type * as ESTree from "estree";
import {failedAnalysis, type CodeToken, type FunctionInfo, type ImportTarget, type ModuleAnalysis} from "./ModuleAnalysis.ts";

/** The name a CommonJS module's `module.exports` value is exported under (what `require()` returns). */
export const MODULE_VALUE = "module.exports";

type Parent = Map<ESTree.Node, ESTree.Node>;

interface ParsedModule {
    file: string;
    program: ESTree.Program;
    tokens: Token[];
    commonJs: boolean;
}

/**
 * Top-level functions of ES modules and CommonJS files (declarations and `const f = () => …` /
 * `function () {…}`, exported or not), with acorn's tokens and eslint-scope's scopes: which names
 * each function uses from outside itself, through `import`, `import * as`, `require()` and
 * `export … from`.
 */
export function analyzeJavaScript(files: readonly string[]): ModuleAnalysis[] {
    const parsed = new Map<string, ParsedModule | string>();
    for (const file of files) parsed.set(path.resolve(file), parseModule(file));
    const isCommonJs = (file: string | null) => {
        const entry = file ? parsed.get(file) : undefined;
        return typeof entry === "object" && entry.commonJs;
    };
    return files.map((file) => {
        const entry = parsed.get(path.resolve(file))!;
        if (typeof entry === "string") return failedAnalysis(file, entry);
        try {
            return moduleAnalysis(entry, (specifier) => resolveSpecifier(entry.file, specifier, parsed), isCommonJs);
        } catch (error) {
            return failedAnalysis(file, `the scope analysis failed: ${(error as Error).message}`);
        }
    });
}

function parseModule(file: string): ParsedModule | string {
    let source: string;
    try {
        source = fs.readFileSync(file, "utf8");
    } catch (error) {
        return (error as Error).message;
    }
    const commonJsFile = file.endsWith(".cjs");
    const tokens: Token[] = [];
    let program: ESTree.Program;
    try {
        program = parse(source, {
            ecmaVersion: "latest",
            sourceType: commonJsFile ? "script" : "module",
            locations: true,
            ranges: true,
            allowHashBang: true,
            allowReturnOutsideFunction: commonJsFile,
            onToken: tokens
        }) as unknown as ESTree.Program;
    } catch (error) {
        return (error as Error).message;
    }
    const commonJs = commonJsFile || program.body.some((statement) => commonJsExport(statement) !== null);
    return {file: path.resolve(file), program, tokens, commonJs};
}

/** A relative specifier's file among the analysed ones, as Node would find it (extensions tried for require()). */
function resolveSpecifier(from: string, specifier: string, parsed: Map<string, unknown>): string | null {
    if (!specifier.startsWith(".") && !specifier.startsWith("/")) return null;
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, path.join(base, "index.js"), path.join(base, "index.cjs")])
        if (parsed.has(candidate)) return candidate;
    return null;
}

function moduleAnalysis(module: ParsedModule, resolve: (specifier: string) => string | null, isCommonJs: (file: string | null) => boolean): ModuleAnalysis {
    const {program, file} = module;
    const scopes = analyzeScopes(program, {ecmaVersion: 2022, sourceType: file.endsWith(".cjs") ? "commonjs" : "module", fallback: "iteration"});
    const analysis: ModuleAnalysis = {file, error: null, functions: [], imports: {}, exports: {}, scopeStars: [], exportStars: []};
    const importTarget = (specifier: string, name: string | null): ImportTarget => {
        const target = resolve(specifier);
        // A default import of a CommonJS module is its module.exports value.
        return {file: target, name: name === "default" && isCommonJs(target) ? MODULE_VALUE : name};
    };

    const functionNodes: [string, ESTree.Function][] = [];
    for (const statement of program.body) {
        if (statement.type === "ImportDeclaration") {
            const from = String(statement.source.value);
            for (const specifier of statement.specifiers)
                analysis.imports[specifier.local.name] = importTarget(
                    from,
                    specifier.type === "ImportNamespaceSpecifier"
                        ? null
                        : specifier.type === "ImportDefaultSpecifier"
                          ? "default"
                          : moduleExportName(specifier.imported)
                );
            continue;
        }
        if (statement.type === "ExportAllDeclaration") {
            const target = resolve(String(statement.source.value));
            if (statement.exported) {
                const local = `\0${moduleExportName(statement.exported)}`;
                analysis.imports[local] = {file: target, name: null};
                analysis.exports[moduleExportName(statement.exported)] = local;
            } else if (target) analysis.exportStars.push(target);
            continue;
        }
        if (statement.type === "ExportNamedDeclaration" && !statement.declaration) {
            for (const specifier of statement.specifiers) {
                const exported = moduleExportName(specifier.exported);
                if (statement.source) {
                    // A re-export binds no local name: keep it under one no code can spell.
                    const local = `\0${exported}`;
                    analysis.imports[local] = importTarget(String(statement.source.value), moduleExportName(specifier.local));
                    analysis.exports[exported] = local;
                } else analysis.exports[exported] = moduleExportName(specifier.local);
            }
            continue;
        }
        if (statement.type === "ExportDefaultDeclaration") {
            const declaration = statement.declaration;
            if ((declaration.type === "FunctionDeclaration" || declaration.type === "ClassDeclaration") && declaration.id) {
                analysis.exports.default = declaration.id.name;
                if (declaration.type === "FunctionDeclaration") functionNodes.push([declaration.id.name, declaration as ESTree.FunctionDeclaration]);
            } else if (declaration.type === "Identifier") analysis.exports.default = declaration.name;
            continue;
        }
        const exported = statement.type === "ExportNamedDeclaration";
        const declaration = exported ? statement.declaration : statement;
        if (declaration?.type === "FunctionDeclaration") {
            functionNodes.push([declaration.id.name, declaration]);
            if (exported) analysis.exports[declaration.id.name] = declaration.id.name;
        }
        if (declaration?.type === "VariableDeclaration")
            for (const declarator of declaration.declarations) {
                for (const name of declaredNames(declarator.id)) if (exported) analysis.exports[name] = name;
                const init = declarator.init ?? null;
                if (declarator.id.type === "Identifier" && init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression"))
                    functionNodes.push([declarator.id.name, init]);
                else Object.assign(analysis.imports, requireBindings(declarator, importTarget, file));
            }
        const commonJs = commonJsExport(statement);
        if (commonJs) Object.assign(analysis.exports, commonJs);
    }

    const parents = parentMap(program);
    analysis.functions = functionNodes.map(([name, node]) => functionInfo(module, name, node, scopes, parents, importTarget));
    return analysis;
}

function functionInfo(
    module: ParsedModule,
    name: string,
    node: ESTree.Function,
    scopes: ScopeManager,
    parents: Parent,
    importTarget: (specifier: string, name: string | null) => ImportTarget
): FunctionInfo {
    const [start, end] = node.range!;
    const inside = (n: ESTree.Node) => n.range![0] >= start && n.range![1] <= end;
    const references: string[][] = [];
    const imports: Record<string, ImportTarget> = {};
    const seen = new Set<string>();
    const add = (reference: Reference) => {
        const chain = memberChain(reference.identifier as ESTree.Identifier, parents);
        const key = chain.join("\0");
        if (seen.has(key)) return;
        seen.add(key);
        references.push(chain);
    };
    const own = scopes.acquire(node as ESTree.Node);
    // References that leave the function resolve at module level (or are globals).
    for (const reference of own?.through ?? []) if (reference.isRead()) add(reference);
    // Names bound inside the function by require(): followed like module-level imports.
    const walkScopes = (scope: Scope) => {
        for (const reference of scope.references) {
            const definition = reference.resolved?.defs[0];
            if (!reference.isRead() || definition?.type !== "Variable" || !inside(definition.node)) continue;
            const bindings = requireBindings(definition.node, importTarget, module.file);
            const local = reference.identifier.name;
            if (bindings[local]) {
                imports[local] = bindings[local];
                add(reference);
            }
        }
        scope.childScopes.forEach(walkScopes);
    };
    if (own) walkScopes(own);
    return {
        name,
        startLine: node.loc!.start.line,
        endLine: node.loc!.end.line,
        references,
        imports,
        tokens: module.tokens.filter((token) => token.start >= start && token.end <= end).flatMap(codeToken)
    };
}

function codeToken(token: Token): CodeToken[] {
    const label = token.type.label;
    // acorn's Token type leaves out `value`, which every token has (a regular expression's is {pattern, flags}).
    const {value} = token as Token & {value: unknown};
    if (label === "name" || token.type.keyword) return [{kind: "name", text: String(value ?? label)}];
    if (label === "string" || label === "template" || label === "invalidTemplate") return [{kind: "string", text: String(value ?? "")}];
    if (label === "num") return [{kind: "number", text: String(value)}];
    if (label === "regexp") return [{kind: "regex", text: (value as {pattern: string}).pattern}];
    if (label === "eof") return [];
    return [{kind: "operator", text: label}];
}

/** `x.a.b` read from `x`: ["x", "a", "b"] (computed string keys count, `x[k]` stops the chain). */
function memberChain(identifier: ESTree.Identifier, parents: Parent): string[] {
    const chain = [identifier.name];
    let node: ESTree.Node = identifier;
    for (let parent = parents.get(node); parent?.type === "MemberExpression" && parent.object === node; parent = parents.get(node)) {
        const property = parent.computed
            ? parent.property.type === "Literal" && typeof parent.property.value === "string"
                ? parent.property.value
                : null
            : (parent.property as ESTree.Identifier).name;
        if (property === null) break;
        chain.push(property);
        node = parent;
    }
    return chain;
}

function parentMap(root: ESTree.Node): Parent {
    const parents: Parent = new Map();
    const visit = (node: ESTree.Node) => {
        for (const value of Object.values(node)) {
            for (const child of Array.isArray(value) ? value : [value])
                if (child && typeof child === "object" && typeof (child as ESTree.Node).type === "string") {
                    parents.set(child as ESTree.Node, node);
                    visit(child as ESTree.Node);
                }
        }
    };
    visit(root);
    return parents;
}

/** `const x = require("./m")`, `const {a: b} = require("./m")`, `const b = require("./m").a`, and `const y = x` aliases. */
function requireBindings(
    declarator: ESTree.VariableDeclarator,
    importTarget: (specifier: string, name: string | null) => ImportTarget,
    file: string
): Record<string, ImportTarget> {
    const init = declarator.init ?? null;
    if (!init) return {};
    const required = (node: ESTree.Node): string | null =>
        node.type === "CallExpression" &&
        node.callee.type === "Identifier" &&
        node.callee.name === "require" &&
        node.arguments[0]?.type === "Literal" &&
        typeof node.arguments[0].value === "string"
            ? node.arguments[0].value
            : null;
    const id = declarator.id;
    const whole = required(init);
    if (whole !== null && id.type === "Identifier") return {[id.name]: importTarget(whole, MODULE_VALUE)};
    if (whole !== null && id.type === "ObjectPattern") {
        const out: Record<string, ImportTarget> = {};
        for (const property of id.properties)
            if (property.type === "Property" && !property.computed && property.value.type === "Identifier") {
                const key = property.key.type === "Identifier" ? property.key.name : String((property.key as ESTree.Literal).value);
                out[property.value.name] = importTarget(whole, key);
            }
        return out;
    }
    if (init.type === "MemberExpression" && !init.computed && id.type === "Identifier") {
        const from = required(init.object);
        if (from !== null) return {[id.name]: importTarget(from, (init.property as ESTree.Identifier).name)};
    }
    if (init.type === "Identifier" && id.type === "Identifier") return {[id.name]: {file, name: init.name, local: true}};
    return {};
}

/** `module.exports = {a, b: c}`, `module.exports = f`, `module.exports.a = f`, `exports.a = f`: exported name → local name. */
function commonJsExport(statement: ESTree.Statement | ESTree.ModuleDeclaration): Record<string, string> | null {
    if (statement.type !== "ExpressionStatement" || statement.expression.type !== "AssignmentExpression") return null;
    const {left, right} = statement.expression;
    if (left.type !== "MemberExpression") return null;
    const isModuleExports = (node: ESTree.Node) =>
        node.type === "MemberExpression" &&
        node.object.type === "Identifier" &&
        node.object.name === "module" &&
        !node.computed &&
        (node.property as ESTree.Identifier).name === "exports";
    const isExports = (node: ESTree.Node) => (node.type === "Identifier" && node.name === "exports") || isModuleExports(node);
    if (isModuleExports(left)) {
        if (right.type === "Identifier") return {[MODULE_VALUE]: right.name};
        if (right.type === "ObjectExpression") {
            const out: Record<string, string> = {};
            for (const property of right.properties)
                if (property.type === "Property" && !property.computed && property.value.type === "Identifier")
                    out[property.key.type === "Identifier" ? property.key.name : String((property.key as ESTree.Literal).value)] = property.value.name;
            return out;
        }
        return {};
    }
    if (isExports(left.object) && !left.computed && right.type === "Identifier") return {[(left.property as ESTree.Identifier).name]: right.name};
    return isExports(left.object) ? {} : null;
}

function declaredNames(pattern: ESTree.Pattern): string[] {
    switch (pattern.type) {
        case "Identifier":
            return [pattern.name];
        case "ObjectPattern":
            return pattern.properties.flatMap((p) => declaredNames(p.type === "RestElement" ? p.argument : p.value));
        case "ArrayPattern":
            return pattern.elements.flatMap((e) => (e ? declaredNames(e) : []));
        case "RestElement":
            return declaredNames(pattern.argument);
        case "AssignmentPattern":
            return declaredNames(pattern.left);
        default:
            return [];
    }
}

function moduleExportName(node: ESTree.Identifier | ESTree.Literal): string {
    return node.type === "Identifier" ? node.name : String(node.value);
}
