-- 白领日记 · White-collar diary (the seed's second circle).
-- Only real-name verified female office workers may post; commenting needs credit 750+.

local TIP_CAP_FEN = 20000 -- 200 yuan

return quanzi.circle {
  id = "white-collar-diary",
  title = "白领日记 · White-collar diary",
  description = "Diaries from office workers; only verified female office workers post.",
  rules = {
    view = function(user, circle, post) return true end,
    post = function(user, circle, post)
      if not user.verified then
        return false, "real-name verification required"
      end
      return user.gender == "female" and user.occupation == "office_worker",
        "only verified female office workers may post here"
    end,
    comment = function(user, circle, post)
      return quanzi.credit.score(user.id) >= 750, "credit score 750+ required to comment"
    end,
    like = function(user, circle, post) return true end,
    tip = function(user, circle, amount_fen, post)
      return amount_fen <= TIP_CAP_FEN, "tips are capped at 200 yuan"
    end,
    report = function(user, circle, post) return true end,
  },
  moderation = { keywords = { "约吗", "加微信", "私聊价格" }, report_threshold = 3 },
  ranking = { half_life_hours = 12, w_engagement = 1.0, w_tips = 0.5, w_credit = 0.3,
              w_affinity = 1.5, report_penalty = 2.0, max_per_author = 2 },
  tests = {
    { name = "a verified female office worker posts", action = "post", expect = true,
      user = { verified = true, gender = "female", occupation = "office_worker", employer = "Ant" } },
    { name = "a female student may not post", action = "post", expect = false, reason = "office workers",
      user = { verified = true, gender = "female", occupation = "student" } },
    { name = "unverified may not post", action = "post", expect = false, reason = "verification",
      user = { gender = "female", occupation = "office_worker" } },
    { name = "credit 800 comments", action = "comment", expect = true, user = { credit_score = 800 } },
    { name = "credit 700 may not comment", action = "comment", expect = false, reason = "750+",
      user = { credit_score = 700 } },
    { name = "a small tip", action = "tip", amount_fen = 888, expect = true, user = {} },
    { name = "a tip over the cap", action = "tip", amount_fen = 50000, expect = false, reason = "capped", user = {} },
  },
}
