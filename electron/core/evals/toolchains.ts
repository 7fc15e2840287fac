import type {EvalRuntimeStatus, EvalTaskInfo, EvalTestRun} from "../../api/EvalApi.ts";
import {analyzeJavaScript} from "./analysis/analyzeJavaScript.ts";
import {parseAnalyzerOutput, pythonAnalyzerScript, rAnalyzerScript} from "./analysis/analyzerScripts.ts";
import type {ModuleAnalysis} from "./analysis/ModuleAnalysis.ts";
import {runCommand, type CommandResult} from "./process/runCommand.ts";

export type TaskLanguage = EvalTaskInfo["language"];

/** How AgentFit runs one language's code: runtime check, parse check, test suite, function analysis. */
export interface Toolchain {
    language: TaskLanguage;
    /** The program run, e.g. "Rscript" or an absolute path from AGENTFIT_RSCRIPT. */
    command: string;
    /** What `run_tests` and the scorer run, for people. */
    testCommand: string;
    /** File name endings of source files, e.g. [".R", ".r"]. */
    sourceExtensions: string[];
    /** What parses the target file, for people, e.g. "R's parse()". */
    parser: string;
    /** Every source file's top-level functions are visible from the others without an import (an R package's namespace). */
    sharedNamespace: boolean;
    checkRuntime(): Promise<EvalRuntimeStatus>;
    /** Whether the file parses; `message` is the parser's complaint. */
    parseCheck(file: string, cwd: string, signal?: AbortSignal): Promise<{ok: boolean; message: string | null; durationMs: number}>;
    /** Runs the project's whole test suite in `dir`. */
    runTests(dir: string, signal?: AbortSignal): Promise<EvalTestRun & {durationMs: number}>;
    /** Top-level functions, imports and exports of the given files (absolute paths); `cwd` is the project root. */
    analyze(files: readonly string[], cwd: string): Promise<ModuleAnalysis[]>;
}

/** Commands for each runtime; `AGENTFIT_RSCRIPT`, `AGENTFIT_PYTHON`, `AGENTFIT_NODE` override them. */
export interface ToolchainCommands {
    rscript: string;
    python: string;
    node: string;
}

export function toolchainCommands(env: NodeJS.ProcessEnv = process.env): ToolchainCommands {
    return {
        rscript: env.AGENTFIT_RSCRIPT || "Rscript",
        python: env.AGENTFIT_PYTHON || (process.platform === "win32" ? "python" : "python3"),
        node: env.AGENTFIT_NODE || "node"
    };
}

const TEST_TIMEOUT_MS = 180_000;
const OUTPUT_TAIL_CHARS = 6000;

function tail(text: string, chars = OUTPUT_TAIL_CHARS): string {
    const trimmed = text.trim();
    return trimmed.length > chars ? `[…]\n${trimmed.slice(-chars)}` : trimmed;
}

function missing(command: string, result: CommandResult, install: string): EvalRuntimeStatus {
    const why = result.spawnError ? `"${command}" was not found` : `"${command}" did not run (${tail(result.stderr, 300) || `exit ${result.exitCode}`})`;
    return {command, available: false, version: null, message: `${why}. ${install}`};
}

async function parseCheckWith(command: string, args: string[], cwd: string, signal?: AbortSignal) {
    const result = await runCommand(command, args, {cwd, timeoutMs: 60_000, signal});
    const ok = result.exitCode === 0;
    return {ok, message: ok ? null : tail(result.spawnError ?? (result.stderr || result.stdout), 1500), durationMs: result.durationMs};
}

const R_REQUIRED_PACKAGES = ["testthat", "pkgload", "cli", "rlang", "withr", "jsonlite"];

// Runs the package's tests the way `devtools::test()` does and prints one machine-readable line.
const R_TEST_SCRIPT = `
res <- testthat::test_local(".", reporter = "summary", stop_on_failure = FALSE, stop_on_warning = FALSE)
df <- as.data.frame(res)
cat(sprintf("\\nAGENTFIT_TESTS tests=%d failed=%d errors=%d skipped=%d\\n",
  nrow(df), sum(df$failed > 0), sum(df$error), sum(df$skipped)))
`;

function rToolchain(command: string): Toolchain {
    return {
        language: "r",
        command,
        testCommand: `${command} -e 'testthat::test_local()'`,
        sourceExtensions: [".R", ".r"],
        parser: "R's parse()",
        sharedNamespace: true,
        async checkRuntime() {
            const script = `cat(R.version$major, ".", R.version$minor, "|", sep = ""); for (p in c(${R_REQUIRED_PACKAGES.map((p) => `"${p}"`).join(", ")})) cat(p, if (requireNamespace(p, quietly = TRUE)) as.character(utils::packageVersion(p)) else "MISSING", "|")`;
            const result = await runCommand(command, ["-e", script], {cwd: process.cwd(), timeoutMs: 30_000});
            const install = "Install R and testthat: Debian/Ubuntu `apt-get install r-base-core r-cran-testthat`, macOS `brew install r`, Windows from cran.r-project.org; then `install.packages(\"testthat\")`.";
            if (result.exitCode !== 0) return missing(command, result, install);
            const [version, ...packages] = result.stdout.split("|").map((s) => s.trim()).filter(Boolean);
            const absent = packages.filter((p) => p.endsWith("MISSING")).map((p) => p.split(" ")[0]!);
            const testthat = packages.find((p) => p.startsWith("testthat "))?.split(" ")[1];
            if (absent.length > 0)
                return {
                    command,
                    available: false,
                    version: `R ${version}`,
                    message: `R ${version} is installed but these R packages are missing: ${absent.join(", ")}. Install them with \`install.packages(c(${absent.map((p) => `"${p}"`).join(", ")}))\` or, on Debian/Ubuntu, \`apt-get install r-cran-testthat\`.`
                };
            return {command, available: true, version: `R ${version}, testthat ${testthat}`, message: null};
        },
        parseCheck: (file, cwd, signal) => parseCheckWith(command, ["-e", "invisible(parse(file = commandArgs(TRUE)[1]))", file], cwd, signal),
        async runTests(dir, signal) {
            const result = await runCommand(command, ["-e", R_TEST_SCRIPT], {cwd: dir, timeoutMs: TEST_TIMEOUT_MS, signal});
            const output = `${result.stdout}\n${result.stderr}`;
            const match = /AGENTFIT_TESTS tests=(\d+) failed=(\d+) errors=(\d+) skipped=(\d+)/.exec(result.stdout);
            const visible = tail(output.replace(/\n?AGENTFIT_TESTS[^\n]*\n?/, "\n"));
            if (!match)
                return {ran: false, tests: 0, failed: 0, errors: 1, skipped: 0, exitCode: result.exitCode, output: visible, durationMs: result.durationMs};
            const [tests, failed, errors, skipped] = match.slice(1).map(Number) as [number, number, number, number];
            return {ran: true, tests, failed, errors, skipped, exitCode: result.exitCode, output: visible, durationMs: result.durationMs};
        },
        async analyze(files, cwd) {
            return parseAnalyzerOutput(files, await runCommand(command, ["-e", rAnalyzerScript, cwd, ...files], {cwd, timeoutMs: 60_000}));
        }
    };
}

function pythonToolchain(command: string): Toolchain {
    return {
        language: "python",
        command,
        testCommand: `${command} -m unittest discover -s tests -t .`,
        sourceExtensions: [".py"],
        parser: "Python's ast.parse()",
        sharedNamespace: false,
        async checkRuntime() {
            const result = await runCommand(command, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], {cwd: process.cwd(), timeoutMs: 30_000});
            const install = "Install Python 3.9 or later (python.org, or `apt-get install python3`), or set AGENTFIT_PYTHON to its path.";
            if (result.exitCode !== 0) return missing(command, result, install);
            const version = result.stdout.trim();
            const [major, minor] = version.split(".").map(Number) as [number, number];
            if (major < 3 || (major === 3 && minor < 9))
                return {command, available: false, version: `Python ${version}`, message: `Python ${version} is too old. ${install}`};
            return {command, available: true, version: `Python ${version}`, message: null};
        },
        parseCheck: (file, cwd, signal) =>
            // Bytes, as Python's import reads them: a BOM or a coding cookie is honoured.
            parseCheckWith(command, ["-c", "import ast, sys; ast.parse(open(sys.argv[1], 'rb').read(), sys.argv[1])", file], cwd, signal),
        async runTests(dir, signal) {
            const result = await runCommand(command, ["-m", "unittest", "discover", "-s", "tests", "-t", "."], {cwd: dir, timeoutMs: TEST_TIMEOUT_MS, signal});
            // unittest reports on stderr: "Ran 9 tests in 0.004s" then "OK" or "FAILED (failures=1, errors=2)".
            const output = `${result.stdout}\n${result.stderr}`;
            const ran = /^Ran (\d+) tests? in/m.exec(output);
            const count = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(/^(?:FAILED|OK) ?\(([^)]*)\)/m.exec(output)?.[1] ?? "")?.[1] ?? 0);
            if (!ran) return {ran: false, tests: 0, failed: 0, errors: 1, skipped: 0, exitCode: result.exitCode, output: tail(output), durationMs: result.durationMs};
            return {
                ran: true,
                tests: Number(ran[1]),
                failed: count("failures") + count("unexpected successes"),
                errors: count("errors"),
                skipped: count("skipped"),
                exitCode: result.exitCode,
                output: tail(output),
                durationMs: result.durationMs
            };
        },
        async analyze(files, cwd) {
            return parseAnalyzerOutput(files, await runCommand(command, ["-c", pythonAnalyzerScript, cwd, ...files], {cwd, timeoutMs: 60_000}));
        }
    };
}

function nodeToolchain(command: string): Toolchain {
    return {
        language: "javascript",
        command,
        testCommand: `${command} --test`,
        sourceExtensions: [".js", ".mjs", ".cjs"],
        parser: "node --check",
        sharedNamespace: false,
        async checkRuntime() {
            const result = await runCommand(command, ["--version"], {cwd: process.cwd(), timeoutMs: 30_000});
            const install = "Install Node.js 18 or later (nodejs.org), or set AGENTFIT_NODE to its path.";
            if (result.exitCode !== 0) return missing(command, result, install);
            const version = result.stdout.trim().replace(/^v/, "");
            if (Number(version.split(".")[0]) < 18)
                return {command, available: false, version: `Node.js ${version}`, message: `Node.js ${version} has no node:test runner. ${install}`};
            return {command, available: true, version: `Node.js ${version}`, message: null};
        },
        parseCheck: (file, cwd, signal) => parseCheckWith(command, ["--check", file], cwd, signal),
        async runTests(dir, signal) {
            const result = await runCommand(command, ["--test", "--test-reporter=spec"], {cwd: dir, timeoutMs: TEST_TIMEOUT_MS, signal});
            const output = `${result.stdout}\n${result.stderr}`;
            const count = (name: string) => {
                const match = new RegExp(`^\\S*\\s*${name} (\\d+)\\s*$`, "m").exec(output);
                return match ? Number(match[1]) : null;
            };
            const tests = count("tests");
            if (tests === null) return {ran: false, tests: 0, failed: 0, errors: 1, skipped: 0, exitCode: result.exitCode, output: tail(output), durationMs: result.durationMs};
            return {
                ran: true,
                tests,
                failed: count("fail") ?? 0,
                errors: count("cancelled") ?? 0,
                skipped: (count("skipped") ?? 0) + (count("todo") ?? 0),
                exitCode: result.exitCode,
                output: tail(output),
                durationMs: result.durationMs
            };
        },
        async analyze(files) {
            return analyzeJavaScript(files);
        }
    };
}

export function createToolchains(commands: ToolchainCommands = toolchainCommands()): Record<TaskLanguage, Toolchain> {
    return {r: rToolchain(commands.rscript), python: pythonToolchain(commands.python), javascript: nodeToolchain(commands.node)};
}

/** Whether a test run counts as a pass: the suite ran, had tests, and none failed or errored. */
export function testsPassed(run: EvalTestRun): boolean {
    return run.ran && run.tests > 0 && run.failed === 0 && run.errors === 0 && run.exitCode === 0;
}
