-- Would lowering campus-diary's comment bar from credit 750 to 700 bring more conversation
-- without more reports? The campus-diary plugin reads the bar with
--   quanzi.ab.param(user, "campus-comment-credit", "min_credit", 750)
-- so users outside the experiment keep 750 and log no exposure.
return quanzi.experiment {
  id = "campus-comment-credit",
  title = "Campus diary: comment at credit 700+",
  layer = "campus-rules",
  traffic = 0.10,
  variants = {
    { name = "control",   weight = 0.5, params = { min_credit = 750 } },
    { name = "treatment", weight = 0.5, params = { min_credit = 700 } },
  },
  targeting = function(user)
    return user.verified
  end,
  metrics = {
    primary = "comments_per_user",
    secondary = { "commenters", "tips_fen_per_user", "likes_per_user" },
    guardrails = { { metric = "report_rate", max_relative_increase = 0.10 } },
  },
  -- New accounts are the ones whose credit sits between the two bars: does the change reach them?
  segments = {
    new_user = function(user) return user.account_age_days < 30 end,
  },
  tests = {
    { user = { verified = true }, targeted = true },
    { user = { verified = false }, targeted = false },
    { user = { account_age_days = 29 }, segments = { new_user = true } },
    { user = { account_age_days = 30 }, segments = { new_user = false } },
  },
}
