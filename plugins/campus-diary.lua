-- 校园日记 · Campus diary (the seed's circle, 2016).
-- Only real-name verified female students may post; everyone else may view, like and tip.
-- Commenting needs a credit score of 750 or more, the bar the seed's product set; the
-- campus-comment-credit experiment tries 700 on part of the traffic.

local TIP_CAP_FEN = 20000 -- 200 yuan

return quanzi.circle {
  id = "campus-diary",
  title = "校园日记 · Campus diary",
  description = "Diaries from college students; only verified female students post.",
  rules = {
    view = function(user, circle, post)
      return true
    end,
    post = function(user, circle, post)
      if not user.verified then
        return false, "real-name verification required"
      end
      -- The campus-open-posting experiment (the seed's mistake, on part of the traffic) opens
      -- posting to every verified adult; users outside it log no exposure and keep the rule.
      if quanzi.ab.param(user, "campus-open-posting", "open_to_adults", false) and (user.age or 0) >= 18 then
        return true
      end
      return user.gender == "female" and user.occupation == "student",
        "only verified female students may post here"
    end,
    comment = function(user, circle, post)
      local min_credit = quanzi.ab.param(user, "campus-comment-credit", "min_credit", 750)
      return quanzi.credit.score(user.id) >= min_credit, "credit score " .. min_credit .. "+ required to comment"
    end,
    like = function(user, circle, post)
      return true
    end,
    tip = function(user, circle, amount_fen, post)
      return amount_fen <= TIP_CAP_FEN, "tips are capped at 200 yuan"
    end,
    report = function(user, circle, post)
      return true
    end,
  },
  moderation = { keywords = { "约吗", "加微信", "私聊价格" }, report_threshold = 3 },
  ranking = { half_life_hours = 12, w_engagement = 1.0, w_tips = 0.5, w_credit = 0.2,
              w_affinity = 1.5, report_penalty = 2.0, max_per_author = 2 },
  tests = {
    { name = "a verified female student posts", action = "post", expect = true,
      user = { verified = true, gender = "female", occupation = "student" } },
    { name = "a male student may not post", action = "post", expect = false, reason = "female students",
      user = { verified = true, gender = "male", occupation = "student" } },
    { name = "an office worker may not post", action = "post", expect = false, reason = "female students",
      user = { verified = true, gender = "female", occupation = "office_worker" } },
    { name = "verification comes first", action = "post", expect = false, reason = "verification",
      user = { verified = false, gender = "female", occupation = "student" } },
    { name = "outside campus-open-posting a verified adult man still may not post", action = "post", expect = false,
      reason = "female students", user = { verified = true, gender = "male", occupation = "office_worker", birth_year = 1990 } },
    { name = "anyone views", action = "view", expect = true, user = {} },
    { name = "anyone likes", action = "like", expect = true, user = { gender = "male" } },
    { name = "credit 750 comments", action = "comment", expect = true, user = { credit_score = 750 } },
    { name = "credit 749 may not comment", action = "comment", expect = false, reason = "750+",
      user = { credit_score = 749 } },
    { name = "a 200 yuan tip", action = "tip", amount_fen = 20000, expect = true, user = {} },
    { name = "a 200.01 yuan tip is over the cap", action = "tip", amount_fen = 20001, expect = false,
      reason = "capped", user = {} },
  },
}
