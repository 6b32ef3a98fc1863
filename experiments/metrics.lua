-- Metrics every experiment can use, computed from the events table for exposed users only and
-- only from events after each user's first exposure.
--   kind = "mean"        per exposed user, zero-filled ("comments per user")
--   kind = "proportion"  share of exposed users with at least one event
--   kind = "ratio"       sum of numerator over sum of denominator, per arm (delta method)
--   kind = "quantile"    a quantile of an amount: of single events (per = "event") or of users'
--                        totals (per = "user"), e.g. { id = "tip_p90", kind = "quantile",
--                        event = "tip.sent", value = "amount_fen", quantile = 0.9, per = "event" }
-- cap = { percentile = 0.99 [, ignore_zeros = true] } or { value_fen = 20000 } (a sum of fen) or
-- { value = 50 } (a count) lowers each user's value to the cap before the arms are compared.
-- attribute_to = "target" credits an event to the user acted upon (the post's author) instead
-- of the user who acted: "reports received per view of my posts".
return quanzi.metrics {
  { id = "comments_per_user", kind = "mean", event = "comment.created",
    description = "comments written per exposed user" },
  { id = "commenters", kind = "proportion", event = "comment.created",
    description = "share of exposed users who commented at least once" },
  { id = "likes_per_user", kind = "mean", event = "like.created" },
  { id = "posts_per_user", kind = "mean", event = "post.created" },
  { id = "views_per_user", kind = "mean", event = "post.viewed" },
  -- Capped: one whale's 200-yuan tips would swamp the mean. Each user's total is lowered to the
  -- 95th percentile of the tippers' totals (zeros left out: most users tip nothing; with a few
  -- hundred tippers a 99th percentile is their largest total and caps nobody).
  { id = "tips_fen_per_user", kind = "mean", event = "tip.sent", value = "amount_fen",
    cap = { percentile = 0.95, ignore_zeros = true },
    description = "fen tipped per exposed user (capped at the tippers' 95th percentile)" },

  { id = "report_rate", kind = "ratio", numerator = "report.created", denominator = "post.viewed",
    higher_is_better = false, description = "reports filed per post viewed" },
  { id = "reports_received_per_user", kind = "mean", event = "report.created", attribute_to = "target",
    higher_is_better = false, description = "reports received per exposed user (on any of their posts)" },
  { id = "show_less_received_per_user", kind = "mean", event = "post.show_less", attribute_to = "target",
    higher_is_better = false, description = "\"show less\" marks received per exposed user (on any of their posts)" },
  { id = "blocks_received_per_user", kind = "mean", event = "user.blocked", attribute_to = "target",
    higher_is_better = false, description = "times an exposed user was blocked" },
  { id = "reports_received_rate", kind = "ratio", numerator = "report.created", denominator = "post.viewed",
    attribute_to = "target", higher_is_better = false,
    description = "reports received per view of the user's own posts" },
}
