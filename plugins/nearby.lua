-- 附近 · People nearby: posts from your own city. Videos and shop links are welcome here
-- (word-of-mouth commerce); you need a city on your profile to post or interact.

local function same_city(user, post)
  if post == nil then
    return true
  end
  local author = quanzi.user(post.author_id)
  return author ~= nil and user.city ~= nil and author.city == user.city
end

return quanzi.circle {
  id = "nearby",
  title = "附近 · People nearby",
  description = "Posts, videos and shop links from your city.",
  -- Swift keeps only posts from the viewer's city before the view rule runs.
  audience = "same_city",
  rules = {
    view = function(user, circle, post)
      return same_city(user, post), "only people in the author's city see this post"
    end,
    post = function(user, circle, post)
      if user.city == nil then
        return false, "set your city to post nearby"
      end
      return user.verified, "real-name verification required"
    end,
    comment = function(user, circle, post)
      return same_city(user, post), "only people in the author's city may comment"
    end,
    like = function(user, circle, post) return true end,
    tip = function(user, circle, amount_fen, post)
      return amount_fen <= 20000, "tips are capped at 200 yuan"
    end,
    report = function(user, circle, post) return true end,
  },
  moderation = { keywords = { "代开发票", "刷单" }, report_threshold = 5 },
  ranking = { half_life_hours = 6, w_engagement = 1.0, w_tips = 0.3, w_credit = 0.1,
              w_affinity = 0.5, report_penalty = 2.0, max_per_author = 2 },
  tests = {
    { name = "a neighbour sees a video", action = "view", expect = true,
      user = { city = "Hangzhou" }, post = { kind = "video", author = { city = "Hangzhou" } } },
    { name = "another city does not", action = "view", expect = false, reason = "city",
      user = { city = "Beijing" }, post = { kind = "video", author = { city = "Hangzhou" } } },
    { name = "no city, no view of others' posts", action = "view", expect = false, reason = "city",
      user = {}, post = { author = { city = "Hangzhou" } } },
    { name = "a verified user posts a shop link", action = "post", expect = true,
      user = { verified = true, city = "Hangzhou" }, post = { kind = "shop_link" } },
    { name = "a video needs a city", action = "post", expect = false, reason = "set your city",
      user = { verified = true }, post = { kind = "video" } },
    { name = "a neighbour comments", action = "comment", expect = true,
      user = { city = "Shanghai" }, post = { author = { city = "Shanghai" } } },
  },
}
