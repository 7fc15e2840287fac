# A temporary skills folder holding the given files (name = file content).
local_skill_dir <- function(files, env = parent.frame()) {
  dir <- tempfile("skills-")
  dir.create(dir)
  withr::defer(unlink(dir, recursive = TRUE), envir = env)
  for (name in names(files)) {
    writeLines(files[[name]], file.path(dir, paste0(name, ".md")))
  }
  dir
}
