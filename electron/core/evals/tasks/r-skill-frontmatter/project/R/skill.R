new_skill <- function(name, path, text) {
  structure(list(name = name, path = path, text = text), class = "skill")
}

#' @export
format.skill <- function(x, ...) {
  lines <- strsplit(x$text, "\n", fixed = TRUE)[[1]]
  c(
    sprintf("<skill %s> %d line%s", x$name, length(lines), if (length(lines) == 1) "" else "s"),
    utils::head(lines, 3)
  )
}

#' @export
print.skill <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}
