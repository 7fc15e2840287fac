#' Load a skill by name
#'
#' Reads the skill's Markdown file and returns its text without the YAML
#' front matter.
#'
#' @param skill_name Name of the skill (its file name without `.md`).
#' @param dir Folder to look in.
#' @return A `skill` object: a list with `name`, `path` and `text`.
#' @export
fetch_skill <- function(skill_name, dir = skills_dir()) {
  skill_path <- find_skill(skill_name, dir)
  if (is.null(skill_path)) {
    available <- skill_names(dir)
    cli::cli_abort(
      c(
        "Skill {.val {skill_name}} not found.",
        "i" = "Available skills: {.val {available}}"
      ),
      call = rlang::caller_env()
    )
  }

  skill_content <- readLines(skill_path, warn = FALSE, encoding = "UTF-8")

  # Remove YAML frontmatter if present
  content_start <- 1
  if (length(skill_content) > 0 && skill_content[1] == "---") {
    yaml_end <- which(skill_content == "---")
    if (length(yaml_end) >= 2) {
      content_start <- yaml_end[2] + 1
    }
  }

  body <- if (content_start > length(skill_content)) {
    character()
  } else {
    skill_content[content_start:length(skill_content)]
  }
  new_skill(skill_name, skill_path, paste(body, collapse = "\n"))
}
