import path from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

// The dependency rule of DESIGN.md, enforced: each folder may import only what its layer allows.
// `paths` match exact module names; `regex` patterns match import specifiers.
const rule = (...entries) => [
    "error",
    {
        paths: entries.flatMap((e) => (e.names ?? []).map((name) => ({name, message: e.message}))),
        patterns: entries.filter((e) => e.regex).map((e) => ({regex: e.regex, message: e.message}))
    }
];
const electronModule = {names: ["electron"], message: "Only electron/main, electron/preload and transports/ipc may use Electron."};
const reactModule = {names: ["react", "react-dom", "react-dom/client"], message: "React belongs to the renderer."};
const transports = {regex: "/transports/", message: "The core never imports a transport."};
const shells = {regex: "/(main|cli|preload)/", message: "Lower layers never import the shells (main, preload, cli)."};
const renderer = {regex: "/renderer/", message: "Only the renderer imports renderer code."};
const nodeBuiltins = {
    names: ["fs", "path", "os", "child_process", "crypto", "http", "https", "net", "url", "stream", "util", "events", "worker_threads"],
    regex: "^node:",
    message: "This code runs in a browser: no Node built-ins."
};
const core = {regex: "/core/", message: "The renderer talks to the app only through the typed API client."};
const crossFeature = {
    regex: "^\\.\\./[^./]",
    message: "A feature does not import another feature's code: move what both screens use to renderer/src/components/."
};
const serverSideTransports = {
    regex: "(createAppHttpServer|registerIpcHandlers|/transports/server/)",
    message: "The renderer uses only the client side of a transport."
};

// The process boundary of DESIGN.md, checked on resolved paths (a specifier such as "../engine/x.ts"
// names electron/engine from electron/core but electron/core/engine from a domain folder):
// - electron/engine (the engine process) imports only itself, electron/protocol, electron/api and
//   electron/shared, besides Node built-ins and npm packages;
// - electron/protocol (what both processes load) imports only electron/api and electron/shared;
// - all other app code reaches electron/engine through `import type` only.
const electronDir = path.join(import.meta.dirname, "electron");
const engineMayImport = new Set(["engine", "protocol", "api", "shared"]);
const protocolMayImport = new Set(["protocol", "api", "shared"]);
const processBoundary = {
    meta: {type: "problem", schema: []},
    create(context) {
        const side = path.relative(electronDir, context.filename).split(path.sep);
        if (side[0] === ".." || side.length < 2) return {};
        const check = (node, specifier, typeOnly) => {
            if (typeof specifier !== "string" || !specifier.startsWith(".")) return;
            const target = path.relative(electronDir, path.resolve(path.dirname(context.filename), specifier)).split(path.sep)[0];
            if (side[0] === "engine" && !engineMayImport.has(target))
                context.report({node, message: "The engine process imports only electron/engine, electron/protocol, electron/api, electron/shared, Node and npm packages."});
            else if (side[0] === "protocol" && !protocolMayImport.has(target))
                context.report({node, message: "electron/protocol is loaded by both processes: it imports only electron/api and electron/shared."});
            else if (side[0] !== "engine" && target === "engine" && !typeOnly)
                context.report({node, message: "App-process code reaches the engine process only through `import type`; commands go through electron/protocol."});
        };
        return {
            ImportDeclaration: (node) => check(node, node.source.value, node.importKind === "type"),
            ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === "type"),
            ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === "type"),
            ImportExpression: (node) => check(node, node.source.value, false)
        };
    }
};

export default tseslint.config(
    {ignores: ["out/**", "dist/**", "node_modules/**", ".cache/**", ".scratch/**"]},
    // Eval task projects and hand-made agent outcomes are code the eval grades, not AgentFit code.
    {ignores: ["electron/core/evals/tasks/*/project/**", "testkit/fixtures/evals/**"]},
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {globals: {...globals.node}},
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", {argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_"}],
            "@typescript-eslint/consistent-type-imports": ["error", {fixStyle: "inline-type-imports"}],
            "no-empty": ["error", {allowEmptyCatch: true}]
        }
    },
    {
        files: ["electron/**/*.ts"],
        plugins: {agentfit: {rules: {"process-boundary": processBoundary}}},
        rules: {"agentfit/process-boundary": "error"}
    },
    {
        files: ["electron/engine/**/*.ts", "electron/protocol/**/*.ts"],
        rules: {"no-restricted-imports": rule(electronModule, reactModule, renderer)}
    },
    {
        files: ["electron/api/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", {patterns: [{regex: "^(?!\\.\\.?/)", message: "electron/api imports only its own types."}]}],
            "@typescript-eslint/consistent-type-imports": ["error", {prefer: "type-imports", disallowTypeAnnotations: false}],
            "no-restricted-syntax": [
                "error",
                {selector: "ImportDeclaration[importKind='value']", message: "electron/api may only `import type`."},
                {selector: "FunctionDeclaration, ClassDeclaration, VariableDeclaration", message: "electron/api declares types only."}
            ]
        }
    },
    {
        files: ["electron/shared/**/*.ts"],
        rules: {"no-restricted-imports": rule(electronModule, reactModule, transports, shells, renderer, nodeBuiltins, core)}
    },
    {
        files: ["electron/core/**/*.ts"],
        rules: {"no-restricted-imports": rule(electronModule, reactModule, transports, shells, renderer)}
    },
    {
        files: ["electron/transports/**/*.ts"],
        ignores: ["electron/transports/ipc/registerIpcHandlers.ts"],
        rules: {"no-restricted-imports": rule(electronModule, reactModule, shells, renderer)}
    },
    {
        files: ["electron/main/**/*.ts", "electron/preload/**/*.ts"],
        rules: {
            "no-restricted-imports": rule(reactModule, renderer, {regex: "/cli/", message: "The desktop shell does not use the CLI."})
        }
    },
    {
        files: ["electron/cli/**/*.ts"],
        rules: {"no-restricted-imports": rule(electronModule, reactModule, renderer, {regex: "/(main|preload)/", message: "The CLI does not use the desktop shell."})}
    },
    {
        // node_modules' better-sqlite3 is built for one Node ABI; CI also runs the suites on Node 24,
        // where only openSqliteDatabase finds the addon built for it.
        files: ["tests/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {paths: [{name: "better-sqlite3", allowTypeImports: true, message: "Open SQLite files with openSqliteDatabase (it loads the addon built for this Node)."}]}
            ]
        }
    },
    {
        // Fixtures both the tests and the benchmarks use live in testkit/, so neither reaches into tests/.
        files: ["bench/**/*.ts", "testkit/**/*.ts"],
        rules: {"no-restricted-imports": rule({regex: "/tests/", message: "Benchmarks and the test kit do not import tests/; move what both need to testkit/."})}
    },
    {
        files: ["renderer/**/*.{ts,tsx}"],
        languageOptions: {globals: {...globals.browser}},
        plugins: {"react-hooks": reactHooks},
        rules: {
            ...reactHooks.configs.recommended.rules,
            "react-hooks/refs": "off",
            "react-hooks/set-state-in-effect": "off",
            "no-restricted-imports": rule(electronModule, nodeBuiltins, core, shells, serverSideTransports)
        }
    },
    {
        // A feature folder is one screen's code: what two screens share moves to src/components/.
        files: ["renderer/src/features/**/*.{ts,tsx}"],
        rules: {"no-restricted-imports": rule(electronModule, nodeBuiltins, core, shells, serverSideTransports, crossFeature)}
    }
);
