-- The seed's mistake, as an experiment: open posting in campus-diary to every verified adult
-- (not only verified female students), with a guardrail on the reports the exposed users' own
-- posts receive. The campus-diary post rule reads
--   quanzi.ab.param(user, "campus-open-posting", "open_to_adults", false)
-- A draft: nobody is assigned until someone starts it. `quanzi ab simulate campus-open-posting`
-- runs it as started on a synthetic population, in a throwaway database, and shows the report
-- rate rising and the guardrail stopping it (`--traffic X` replaces the ramp with one share).
--
-- Not everyone at once, as in 2016: the ramp starts at 1% of eligible users and grows only when
-- a step has held its hours and the guardrail is clear with at least min_exposed_per_variant
-- exposed users in each variant. At 10% the README's run of 20,000 simulated users exposed 643
-- on its first day, so 1% exposes about 64 (32 per variant): 25 per variant lets the 1% step
-- move on within about a day, where 100, the default, would hold it there for the whole run.
return quanzi.experiment {
  id = "campus-open-posting",
  title = "Campus diary: anyone verified and 18+ may post",
  status = "draft",
  ramp = {
    { traffic = 0.01, hold_hours = 2 },
    { traffic = 0.05, hold_hours = 6 },
    { traffic = 0.25, hold_hours = 24 },
    { traffic = 0.5 },
  },
  min_exposed_per_variant = 25,
  variants = {
    { name = "control",   weight = 0.5, params = { open_to_adults = false } },
    { name = "treatment", weight = 0.5, params = { open_to_adults = true } },
  },
  targeting = function(user)
    return user.verified and user.age ~= nil and user.age >= 18
  end,
  metrics = {
    primary = "posts_per_user",
    secondary = { "views_per_user", "likes_per_user", "tips_fen_per_user", "reports_received_rate", "blocks_received_per_user" },
    -- Reports received per exposed user, not per view: the harm is a few new posters whose posts
    -- are reported and hidden within a handful of views, while the exposed group's ordinary
    -- posts collect thousands of views; per view, that dilutes the rise below its noise.
    -- "Show less" marks received watch the same harm from the viewers who do not report.
    guardrails = {
      { metric = "reports_received_per_user", max_relative_increase = 0.10 },
      { metric = "show_less_received_per_user", max_relative_increase = 0.10 },
    },
  },
  -- The report breaks every metric down by these, each user as they were when first exposed
  -- (Benjamini-Hochberg across all of them; segment results never stop or ship anything).
  segments = {
    city = function(user) return user.city end,
    new_user = function(user) return user.account_age_days < 30 end,
  },
  tests = {
    { user = { verified = true, birth_year = 2000 }, targeted = true },
    { user = { verified = false, birth_year = 2000 }, targeted = false },
    { user = { city = "Chengdu", account_age_days = 12 }, segments = { city = "Chengdu", new_user = true } },
    { user = { city = "Wuhan", account_age_days = 400 }, segments = { city = "Wuhan", new_user = false } },
  },
}
