-- The behaviour model of `quanzi ab simulate` and `quanzi ab calibrate`: how a synthetic user
-- behaves on one simulated day. Not an experiment (ExperimentSet.load skips this file); replace
-- it with --behaviour FILE to try another model.
--
-- The simulator calls `day(user, ctx)` once per user and day and samples every action in Swift
-- from what it returns; the actions themselves go through the service (Lua rules, moderation,
-- ranking, exposure logging), so a user the rules deny does not post, comment or tip. A session
-- opens a circle the way the app does: it asks the service what the user may do there (the
-- compose button shows only when the post rule allows it), so an experiment read by the post
-- rule exposes everyone who opens the circle, not only those who try to post.
--   user  the read-only user record plugins see (id, verified, gender, age, occupation, ...)
--   ctx   { day = 0-based simulated day, weekday = 0 (Sunday) .. 6, credit = 350..950,
--           friends = number of friends }
-- It returns a table (missing fields count as 0 / false):
--   sessions    expected feed sessions today (the simulator draws a Poisson count)
--   circles     weight of each circle when the user opens one
--   hours       24 weights: when in the day sessions happen (diurnal activity)
--   post        chance to post, per session, when the circle lets the user post: a number for
--               every circle, or a table { [circle] = chance, default = chance }
--   like, comment, tip, report   chance per post shown in a feed
--   report_bad  chance to report a post shown from a bad actor (replaces `report` then)
--   show_less, show_less_bad   chance per post shown to ask for less of its author (the second
--               for a bad actor's post, replacing the first then)
--   block_bad   chance to block a bad actor on seeing one of their posts
--   tip_fen     the usual tip, in fen; each tip is tip_fen·exp(tip_spread·N(0,1)), in 10 fen
--   tip_large   chance a tip is a big one of tip_large_fen ("whales": the tips metric is capped)
--   bad_actor   whether this user's posts are the kind that draw reports
-- Numbers are illustrative, chosen to look like a young wallet user base; not measured data.

local M = {}

-- Evening-heavy activity with a lunch bump.
local HOURS = { 1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 1.6, 1.4, 1.6,
                2.4, 2, 1.5, 1.4, 1.5, 1.8, 2.2, 2.8, 3.4, 3.6, 3, 2 }

-- A stable per-user number in [0, 1): the same user is or is not a bad actor every day.
local function unit(id, salt)
  local h = (id * 2654435761 + salt * 40503) % 4294967296
  h = (h ~ (h >> 15)) * 2246822519 % 4294967296
  return (h ~ (h >> 13)) % 1000003 / 1000003
end

-- Bad actors (spam, solicitation, risqué posts) are rare among the students the campus
-- circle was built for and commoner elsewhere: what opening posting to everyone lets in.
local function is_bad_actor(user)
  local share = (user.occupation == "student" and user.gender == "female") and 0.01 or 0.06
  return unit(user.id, 7) < share
end

-- Where people post. Bad actors go where the audience they want is, the diaries of young women
-- (the seed's circles "filled with risqué photos within days"), and post at nearly every visit
-- there; where they are refused they post little elsewhere, since friends and neighbours know
-- who they are. Like spam accounts anywhere they are among the most active: several sessions a
-- day, coming back after their posts are hidden.
local BAD_POST = { ["campus-diary"] = 0.9, ["white-collar-diary"] = 0.9, nearby = 0.04, friends = 0.01 }
local BAD_CIRCLES = { ["campus-diary"] = 4, ["white-collar-diary"] = 2, nearby = 1, friends = 1 }
local BAD_SESSIONS = 3

function M.day(user, ctx)
  local bad = is_bad_actor(user)
  local weekend = ctx.weekday == 0 or ctx.weekday == 6
  local student = user.occupation == "student"
  local sessions = (student and 1.6 or 1.1) * (weekend and 1.3 or 1.0)
  if (ctx.friends or 0) > 6 then sessions = sessions * 1.2 end
  if bad then sessions = BAD_SESSIONS end
  local credit = ctx.credit or 600
  return {
    sessions = sessions,
    circles = bad and BAD_CIRCLES or {
      ["campus-diary"] = student and 3 or 1,
      ["white-collar-diary"] = user.occupation == "office_worker" and 3 or 1,
      ["nearby"] = 1,
      ["friends"] = 2,
    },
    hours = HOURS,
    -- A campus diary is for students: others have little to write there even when allowed.
    post = bad and BAD_POST or { default = 0.08, ["campus-diary"] = student and 0.08 or 0.02 },
    like = 0.12,
    comment = 0.05,
    tip = credit >= 650 and 0.01 or 0.003,
    tip_fen = credit >= 750 and 500 or 200,
    tip_spread = 0.6,
    tip_large = 0.02,
    tip_large_fen = 20000,
    report = 0.004,
    report_bad = 0.35,
    show_less = 0.006,
    show_less_bad = 0.25,
    block_bad = 0.04,
    bad_actor = bad,
  }
end

return M
