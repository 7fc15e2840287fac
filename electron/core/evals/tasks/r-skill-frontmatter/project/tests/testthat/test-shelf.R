test_that("skills are listed by name in order", {
  dir <- local_skill_dir(list(zeta = "z", alpha = "a"))
  expect_equal(skill_names(dir), c("alpha", "zeta"))
  expect_equal(list_skills(dir)[[1]]$path, file.path(dir, "alpha.md"))
})

test_that("the skills folder can be set with an option", {
  dir <- local_skill_dir(list(custom = "c"))
  withr::local_options(skillshelf.dir = dir)
  expect_equal(skills_dir(), dir)
  expect_equal(skill_names(), "custom")
})

test_that("a skill name must be one string", {
  expect_error(fetch_skill(c("a", "b")), "single string")
  expect_error(fetch_skill(NA_character_), "single string")
})

test_that("skills print their first lines", {
  dir <- local_skill_dir(list(s = c("---", "name: s", "---", "one", "two", "three", "four")))
  expect_output(print(fetch_skill("s", dir)), "<skill s> 4 lines")
  expect_equal(format(fetch_skill("s", dir))[2:4], c("one", "two", "three"))
})
