#' Folder that holds the skills
#'
#' Defaults to the skills shipped with the package; set
#' `options(skillshelf.dir = "path")` to use your own.
#'
#' @export
skills_dir <- function() {
  dir <- getOption("skillshelf.dir")
  if (is.null(dir)) {
    dir <- system.file("skills", package = "skillshelf")
  }
  dir
}

#' List the skills on the shelf
#'
#' @param dir Folder to look in.
#' @return A list with one element per skill: `name` and `path`.
#' @export
list_skills <- function(dir = skills_dir()) {
  files <- sort(list.files(dir, pattern = "\\.md$", full.names = TRUE))
  lapply(files, function(path) {
    list(name = sub("\\.md$", "", basename(path)), path = path)
  })
}

#' Names of the skills on the shelf
#'
#' @inheritParams list_skills
#' @export
skill_names <- function(dir = skills_dir()) {
  vapply(list_skills(dir), function(x) x$name, character(1))
}

find_skill <- function(skill_name, dir = skills_dir()) {
  if (!is.character(skill_name) || length(skill_name) != 1 || is.na(skill_name)) {
    cli::cli_abort("{.arg skill_name} must be a single string.")
  }
  path <- file.path(dir, paste0(skill_name, ".md"))
  if (file.exists(path)) path else NULL
}
