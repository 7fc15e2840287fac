test_that("front matter is removed", {
  dir <- local_skill_dir(list(
    review = c("---", "name: review", "description: Review a diff", "---", "Read the diff.", "Then read it again.")
  ))
  skill <- fetch_skill("review", dir)
  expect_s3_class(skill, "skill")
  expect_equal(skill$name, "review")
  expect_equal(skill$text, "Read the diff.\nThen read it again.")
})

test_that("a skill without front matter is returned whole", {
  dir <- local_skill_dir(list(plain = c("# Plain", "", "No metadata here.")))
  expect_equal(fetch_skill("plain", dir)$text, "# Plain\n\nNo metadata here.")
})

test_that("an unclosed front matter block is kept as text", {
  dir <- local_skill_dir(list(open = c("---", "name: open", "Body without a closing line.")))
  expect_equal(fetch_skill("open", dir)$text, "---\nname: open\nBody without a closing line.")
})

test_that("horizontal rules in the body survive", {
  dir <- local_skill_dir(list(
    rules = c("---", "name: rules", "---", "Part one", "---", "Part two")
  ))
  expect_equal(fetch_skill("rules", dir)$text, "Part one\n---\nPart two")
})

test_that("a rule that is not on the first line is not front matter", {
  dir <- local_skill_dir(list(late = c("Intro", "---", "name: late", "---", "Outro")))
  expect_equal(fetch_skill("late", dir)$text, "Intro\n---\nname: late\n---\nOutro")
})

test_that("a skill made only of front matter has empty text", {
  dir <- local_skill_dir(list(meta = c("---", "name: meta", "---")))
  expect_equal(fetch_skill("meta", dir)$text, "")
})

test_that("an empty file gives empty text", {
  dir <- local_skill_dir(list(empty = character()))
  expect_equal(fetch_skill("empty", dir)$text, "")
})

test_that("a missing skill names the available ones", {
  dir <- local_skill_dir(list(alpha = "a", beta = "b"))
  expect_error(fetch_skill("gamma", dir), "not found")
  expect_error(fetch_skill("gamma", dir), "alpha")
})

test_that("the shipped skills load", {
  skill <- fetch_skill("refactor")
  expect_equal(skill$text, "Keep behaviour identical. Run the tests before and after.")
  expect_match(fetch_skill("commit-message")$text, "^Write the subject")
})
