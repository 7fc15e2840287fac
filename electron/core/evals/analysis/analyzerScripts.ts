import type {CommandResult} from "../process/runCommand.ts";
import type {FileAnalysis} from "./FunctionInfo.ts";

/** Prints, as JSON, the module-level functions of each file given (ast, Python 3.8+). */
export const pythonAnalyzerScript = `
import ast, json, sys
out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    try:
        tree = ast.parse(source, path)
    except SyntaxError as error:
        out.append({"file": path, "error": "line %s: %s" % (error.lineno, error.msg), "functions": []})
        continue
    functions = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
                elif isinstance(sub, ast.Attribute):
                    names.add(sub.attr)
            functions.append({"name": node.name, "startLine": node.lineno, "endLine": node.end_lineno,
                              "names": sorted(names), "text": ast.get_source_segment(source, node) or ""})
    out.append({"file": path, "error": None, "functions": functions})
print(json.dumps(out))
`;

/** Prints, as JSON, the top-level `name <- function(...)` definitions of each file given. */
export const rAnalyzerScript = `
files <- commandArgs(TRUE)
out <- lapply(files, function(path) {
  exprs <- tryCatch(parse(path, keep.source = TRUE), error = function(e) e)
  if (inherits(exprs, "error")) return(list(file = path, error = conditionMessage(exprs), functions = list()))
  refs <- attr(exprs, "srcref")
  fns <- list()
  for (i in seq_along(exprs)) {
    e <- exprs[[i]]
    if (!is.call(e) || length(e) != 3 || !is.symbol(e[[1]])) next
    if (!(as.character(e[[1]]) %in% c("<-", "=", "<<-"))) next
    value <- e[[3]]
    if (!is.call(value) || !identical(value[[1]], as.name("function"))) next
    target <- e[[2]]
    name <- if (is.symbol(target)) as.character(target) else if (is.character(target)) target else next
    ref <- refs[[i]]
    fns[[length(fns) + 1]] <- list(name = name, startLine = ref[1], endLine = ref[3],
      names = I(sort(unique(all.names(value[[3]])))), text = paste(as.character(ref), collapse = "\\n"))
  }
  list(file = path, error = NULL, functions = fns)
})
cat(jsonlite::toJSON(out, auto_unbox = TRUE, null = "null"))
`;

/** Reads an analyzer's JSON output; a runtime failure becomes an error on every file. */
export function parseAnalyzerOutput(files: readonly string[], result: CommandResult): FileAnalysis[] {
    if (result.exitCode === 0) {
        try {
            const parsed = JSON.parse(result.stdout) as FileAnalysis[];
            return parsed.map((entry) => ({
                file: entry.file,
                error: entry.error ?? null,
                functions: (Array.isArray(entry.functions) ? entry.functions : []).map((fn) => ({
                    ...fn,
                    names: Array.isArray(fn.names) ? fn.names : [fn.names as unknown as string]
                }))
            }));
        } catch {}
    }
    const message = `the analyzer failed: ${(result.spawnError ?? result.stderr.trim()) || `exit ${result.exitCode}`}`;
    return files.map((file) => ({file, error: message, functions: []}));
}
