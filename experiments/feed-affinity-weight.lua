-- Does ranking friends' posts higher (affinity weight 1.5 → 3.0) make people like more?
-- Circle plugins read the weight with quanzi.ab.param(user, "feed-affinity-weight", "w_affinity", 1.5)
-- once per feed request; the per-post scoring stays in Swift.
return quanzi.experiment {
  id = "feed-affinity-weight",
  title = "Feed: double the affinity weight",
  layer = "feed-ranking",
  traffic = 0.20,
  variants = {
    { name = "control",   weight = 0.5, params = { w_affinity = 1.5 } },
    { name = "treatment", weight = 0.5, params = { w_affinity = 3.0 } },
  },
  sequential = true,
  metrics = {
    primary = "likes_per_user",
    secondary = { "comments_per_user", "views_per_user" },
    guardrails = { { metric = "report_rate", max_relative_increase = 0.10 } },
  },
}
