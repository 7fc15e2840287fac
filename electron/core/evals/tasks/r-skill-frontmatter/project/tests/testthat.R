library(testthat)
library(skillshelf)

test_check("skillshelf")
