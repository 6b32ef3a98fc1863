-- 好友 · Friends: posts are seen only by the author's friends ("My friends" in the wallet came
-- from transfer contacts). Friends may comment, like and tip; friends may share shop links.

local function is_author_or_friend(user, post)
  if post == nil or post.author_id == user.id then
    return true
  end
  return quanzi.social.are_friends(user.id, post.author_id)
end

return quanzi.circle {
  id = "friends",
  title = "好友 · Friends",
  description = "Posts visible to the author's friends only.",
  -- Swift keeps only the author's and friends' posts before the view rule runs.
  audience = "friends",
  rules = {
    view = function(user, circle, post)
      return is_author_or_friend(user, post), "only the author's friends see this post"
    end,
    post = function(user, circle, post)
      return user.verified, "real-name verification required"
    end,
    comment = function(user, circle, post)
      return is_author_or_friend(user, post), "only the author's friends may comment"
    end,
    like = function(user, circle, post)
      return is_author_or_friend(user, post), "only the author's friends may like"
    end,
    tip = function(user, circle, amount_fen, post)
      if not is_author_or_friend(user, post) then
        return false, "only the author's friends may tip"
      end
      return amount_fen <= 50000, "tips between friends are capped at 500 yuan"
    end,
    report = function(user, circle, post) return true end,
  },
  moderation = { report_threshold = 5 },
  ranking = { half_life_hours = 24, w_engagement = 0.5, w_tips = 0.2, w_credit = 0.0,
              w_affinity = 3.0, report_penalty = 2.0, max_per_author = 3 },
  tests = {
    { name = "a friend sees the post", action = "view", friends = true, expect = true,
      user = { id = 10 }, post = { author = { id = 20 } } },
    { name = "a stranger does not", action = "view", friends = false, expect = false, reason = "friends",
      user = { id = 10 }, post = { author = { id = 20 } } },
    { name = "the author sees their own post", action = "view", expect = true,
      user = { id = 20 }, post = { author = { id = 20 } } },
    { name = "a friend comments", action = "comment", friends = true, expect = true,
      user = { id = 10 }, post = { author = { id = 20 } } },
    { name = "a stranger may not tip", action = "tip", amount_fen = 100, expect = false, reason = "friends",
      user = { id = 10 }, post = { author = { id = 20 } } },
    { name = "a friend shares a shop link", action = "post", expect = true,
      user = { verified = true }, post = { kind = "shop_link", text = "Great tea shop" } },
    { name = "unverified may not post", action = "post", expect = false, reason = "verification", user = {} },
  },
}
