import type {CommandResult} from "../process/runCommand.ts";
import {failedAnalysis, type ModuleAnalysis} from "./ModuleAnalysis.ts";

// The analyzers run in the task's own language and print, as JSON, a ModuleAnalysis per file
// given. Arguments: the project root (also the working directory), then the files (absolute paths).

/** Python 3.9+: ast for functions and imports, symtable for scopes, tokenize for code tokens. */
export const pythonAnalyzerScript = String.raw`
import ast, io, json, os, symtable, sys, tokenize

# The project root as given (not os.getcwd(), which resolves symbolic links such as macOS's /var),
# so the paths printed match the ones the caller passed.
ROOT = os.path.abspath(sys.argv[1])
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
COMP_NAMES = {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp", ast.GeneratorExp: "genexpr"}


def module_file(parts):
    base = os.path.join(ROOT, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


def import_targets(node, path):
    """(local name, {"file", "name"}) pairs an import statement binds; file is None outside the project."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if alias.asname:
                yield alias.asname, {"file": module_file(parts), "name": None}
            else:
                yield parts[0], {"file": module_file(parts[:1]), "name": None}
        return
    source = from_module(node, path)
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name, {"file": source, "name": alias.name}


def from_module(node, path):
    """The file of the module a from-import reads (relative imports resolved from the file's package)."""
    parts = []
    if node.level:
        package = os.path.dirname(os.path.abspath(path))
        for _ in range(node.level - 1):
            package = os.path.dirname(package)
        parts = [part for part in os.path.relpath(package, ROOT).split(os.sep) if part != "."]
    parts = parts + (node.module.split(".") if node.module else [])
    return module_file(parts) if parts else None


def star_import(node, path):
    if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
        return from_module(node, path)
    return None


def walk_outside_functions(node):
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, SCOPE_NODES):
            yield from walk_outside_functions(child)


def child_table(table, node):
    name = COMP_NAMES.get(type(node)) or ("lambda" if isinstance(node, ast.Lambda) else getattr(node, "name", None))
    for child in table.get_children():
        if child.get_name() == name and child.get_lineno() == node.lineno:
            return child
    return None  # inlined comprehension (Python 3.12+): same scope


def chain_of(node):
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
        return node, names[::-1]
    return None, None


def analyze_function(node, table, path):
    references, imports, seen = [], {}, set()
    local_imports = {}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            for local, target in import_targets(sub, path):
                local_imports[local] = target

    def lookup(tables, name):
        # The innermost scope that binds the name decides; a free name is bound by an enclosing one.
        for tab in reversed(tables):
            try:
                symbol = tab.lookup(name)
            except KeyError:
                continue
            if symbol.is_global():
                return "global"
            if symbol.is_free():
                continue
            if symbol.is_local() or symbol.is_parameter():
                if symbol.is_imported() and not symbol.is_assigned() and not symbol.is_parameter() and name in local_imports:
                    return "import"
                return "local"
        return "global"

    def visit(sub, tables):
        if isinstance(sub, ast.Attribute) or isinstance(sub, ast.Name):
            root, chain = chain_of(sub)
            if root is not None and isinstance(root.ctx, ast.Load):
                kind = lookup(tables, root.id)
                if kind != "local":
                    if kind == "import":
                        imports[root.id] = local_imports[root.id]
                    key = tuple(chain)
                    if key not in seen:
                        seen.add(key)
                        references.append(chain)
                return
        if sub is not node and isinstance(sub, SCOPE_NODES):
            inner = child_table(tables[-1], sub)
            if inner is not None:
                tables = tables + [inner]
        for child in ast.iter_child_nodes(sub):
            visit(child, tables)

    visit(node, [table])
    return references, imports


def code_tokens(tokens, node):
    # Whole lines: a top-level def owns its lines, and AST columns count bytes where tokenize counts characters.
    out = []
    for tok in tokens:
        if tok.start[0] < node.lineno or tok.end[0] > node.end_lineno:
            continue
        kind = tokenize.tok_name[tok.type]
        if kind == "STRING":
            try:
                value = ast.literal_eval(tok.string)
                out.append({"kind": "string", "text": value if isinstance(value, str) else tok.string})
            except Exception:
                out.append({"kind": "string", "text": tok.string})
        elif kind == "FSTRING_MIDDLE":
            out.append({"kind": "string", "text": tok.string})
        elif kind == "NAME":
            out.append({"kind": "name", "text": tok.string})
        elif kind == "NUMBER":
            out.append({"kind": "number", "text": tok.string})
        elif kind == "OP":
            out.append({"kind": "operator", "text": tok.string})
    return out


def analyze(path):
    try:
        # tokenize.open reads the file as Python's import does: BOM and coding cookie honoured.
        with tokenize.open(path) as handle:
            source = handle.read()
        tree = ast.parse(source, path)
        table = symtable.symtable(source, path, "exec")
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, ValueError, UnicodeDecodeError, tokenize.TokenError, RecursionError) as error:
        return {"file": path, "error": "line %s: %s" % (getattr(error, "lineno", "?"), getattr(error, "msg", str(error)))}
    functions, imports, exports, stars = [], {}, {}, []
    for node in walk_outside_functions(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for local, target in import_targets(node, path):
                imports[local] = target
                exports[local] = local
            star = star_import(node, path)
            if star:
                stars.append(star)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    imports[target.id] = {"file": os.path.abspath(path), "name": node.value.id, "local": True}
                    exports[target.id] = target.id
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = child_table(table, node) or next(t for t in table.get_children() if t.get_name() == node.name)
            references, local_imports = analyze_function(node, inner, path)
            functions.append({"name": node.name, "startLine": node.lineno, "endLine": node.end_lineno,
                              "references": references, "imports": local_imports, "tokens": code_tokens(tokens, node)})
            exports[node.name] = node.name
    return {"file": path, "error": None, "functions": functions, "imports": imports, "exports": exports,
            "scopeStars": stars, "exportStars": stars}


def analyze_safely(path):
    try:
        return analyze(path)
    except Exception as error:  # one odd file must not hide the others
        return {"file": path, "error": "%s: %s" % (type(error).__name__, error)}


print(json.dumps([analyze_safely(path) for path in sys.argv[2:]]))
`;

/** R: parse() for functions, their free names and own-package `pkg::f` calls, getParseData() for code tokens. */
export const rAnalyzerScript = String.raw`
own_package <- if (file.exists("DESCRIPTION")) tryCatch(unname(read.dcf("DESCRIPTION", fields = "Package")[1, 1]), error = function(e) NA) else NA
is_missing_arg <- function(x) identical(x, quote(expr = ))
assign_ops <- c("<-", "=", "<<-")

# Names bound anywhere inside a function: parameters, assignment targets, for variables.
bound_names <- function(e) {
  out <- character()
  visit <- function(e) {
    if (!is.call(e)) return()
    head <- e[[1]]
    if (is.symbol(head)) {
      op <- as.character(head)
      if (op == "function") out <<- c(out, names(e[[2]]))
      if (op %in% assign_ops && length(e) == 3 && (is.symbol(e[[2]]) || is.character(e[[2]]))) out <<- c(out, as.character(e[[2]]))
      if (op == "for" && is.symbol(e[[2]])) out <<- c(out, as.character(e[[2]]))
    }
    for (i in seq_along(e)) if (!is_missing_arg(e[[i]])) visit(e[[i]])
  }
  visit(e)
  unique(out)
}

# Symbols a function uses that it does not bind; own_package::f and own_package:::f always count.
free_names <- function(fun) {
  bound <- bound_names(fun)
  out <- character()
  visit <- function(e) {
    if (is.symbol(e)) {
      name <- as.character(e)
      if (nzchar(name) && !(name %in% bound)) out <<- c(out, name)
      return()
    }
    if (!is.call(e)) return()
    head <- e[[1]]
    if (is.symbol(head)) {
      op <- as.character(head)
      if (op %in% c("::", ":::")) {
        if (!is.na(own_package) && identical(as.character(e[[2]]), own_package)) out <<- c(out, as.character(e[[3]]))
        return()
      }
      if (op %in% c("$", "@")) return(visit(e[[2]]))
    }
    for (i in seq_along(e)) if (!is_missing_arg(e[[i]])) visit(e[[i]])
  }
  visit(fun)
  unique(out)
}

token_kind <- function(token) {
  if (token %in% c("SYMBOL", "SYMBOL_FUNCTION_CALL", "SYMBOL_SUB", "SYMBOL_FORMALS", "SYMBOL_PACKAGE", "SLOT")) "name"
  else if (token == "STR_CONST") "string"
  else if (token == "NUM_CONST") "number"
  else "operator"
}

code_tokens <- function(data, ref) {
  first <- ref[1]; last <- ref[3]; first_col <- ref[5]; last_col <- ref[6]
  keep <- data$terminal & data$token != "COMMENT" &
    (data$line1 > first | (data$line1 == first & data$col1 >= first_col)) &
    (data$line2 < last | (data$line2 == last & data$col2 <= last_col))
  rows <- data[keep, , drop = FALSE]
  rows <- rows[order(rows$line1, rows$col1), , drop = FALSE]
  lapply(seq_len(nrow(rows)), function(i) {
    kind <- token_kind(rows$token[i])
    text <- rows$text[i]
    if (kind == "string") text <- tryCatch(as.character(str2lang(text)), error = function(e) text)
    list(kind = kind, text = text)
  })
}

empty_object <- function() structure(list(), names = character(0))

analyze_file <- function(path) {
  exprs <- tryCatch(parse(path, keep.source = TRUE, encoding = "UTF-8"), error = function(e) e)
  if (inherits(exprs, "error"))
    return(list(file = path, error = conditionMessage(exprs)))
  refs <- attr(exprs, "srcref")
  data <- getParseData(exprs, includeText = TRUE)
  functions <- list()
  exports <- empty_object()
  for (i in seq_along(exprs)) {
    e <- exprs[[i]]
    if (!is.call(e) || length(e) != 3 || !is.symbol(e[[1]]) || !(as.character(e[[1]]) %in% assign_ops)) next
    value <- e[[3]]
    if (!is.call(value) || !identical(value[[1]], as.name("function"))) next
    target <- e[[2]]
    name <- if (is.symbol(target)) as.character(target) else if (is.character(target)) target else next
    ref <- refs[[i]]
    functions[[length(functions) + 1]] <- list(
      name = name, startLine = ref[1], endLine = ref[3],
      references = lapply(free_names(value), function(n) I(n)),
      imports = empty_object(),
      tokens = code_tokens(data, ref)
    )
    exports[[name]] <- name
  }
  list(file = path, error = NULL, functions = functions, imports = empty_object(), exports = exports,
       scopeStars = I(character()), exportStars = I(character()))
}

# One odd file must not hide the others.
analyze_safely <- function(path) tryCatch(analyze_file(path), error = function(e) list(file = path, error = conditionMessage(e)))

cat(jsonlite::toJSON(lapply(commandArgs(TRUE)[-1], analyze_safely), auto_unbox = TRUE, null = "null"))
`;

/** Reads an analyzer's JSON output; a runtime failure becomes an error on every file. */
export function parseAnalyzerOutput(files: readonly string[], result: CommandResult): ModuleAnalysis[] {
    if (result.exitCode === 0) {
        try {
            const parsed = JSON.parse(result.stdout) as Partial<ModuleAnalysis>[];
            if (Array.isArray(parsed) && parsed.length === files.length)
                return parsed.map((entry, i) => ({
                    ...failedAnalysis(files[i]!, ""),
                    ...entry,
                    file: files[i]!,
                    error: entry.error ?? null,
                    // jsonlite writes an empty named list as [].
                    imports: Array.isArray(entry.imports) ? {} : (entry.imports ?? {}),
                    exports: Array.isArray(entry.exports) ? {} : (entry.exports ?? {}),
                    functions: (entry.functions ?? []).map((fn) => ({...fn, imports: Array.isArray(fn.imports) ? {} : (fn.imports ?? {})}))
                }));
        } catch {}
    }
    const message = `the analyzer failed: ${(result.spawnError ?? result.stderr.trim()) || `exit ${result.exitCode}`}`;
    return files.map((file) => failedAnalysis(file, message));
}
