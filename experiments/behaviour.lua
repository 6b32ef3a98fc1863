-- The behaviour model of `quanzi ab simulate` and `quanzi ab calibrate`: how a synthetic user
-- behaves on one simulated day. Not an experiment (ExperimentSet.load skips this file); replace
-- it with --behaviour FILE to try another model.
--
-- The simulator calls `day(user, ctx)` once per user and day and samples every action in Swift
-- from what it returns; the actions themselves go through the service (Lua rules, moderation,
-- ranking, exposure logging), so a user the rules deny does not post, comment or tip.
--   user  the read-only user record plugins see (id, verified, gender, age, occupation, ...)
--   ctx   { day = 0-based simulated day, weekday = 0 (Sunday) .. 6, credit = 350..950,
--           friends = number of friends }
-- It returns a table (missing fields count as 0 / false):
--   sessions    expected feed sessions today (the simulator draws a Poisson count)
--   circles     weight of each circle when the user opens a feed or posts
--   hours       24 weights: when in the day sessions happen (diurnal activity)
--   post        chance to try to post, per session
--   like, comment, tip, report   chance per post shown in a feed
--   report_bad  chance to report a post shown from a bad actor (replaces `report` then)
--   tip_fen     the usual tip, in fen
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

function M.day(user, ctx)
  local bad = is_bad_actor(user)
  local weekend = ctx.weekday == 0 or ctx.weekday == 6
  local student = user.occupation == "student"
  local sessions = (student and 1.6 or 1.1) * (weekend and 1.3 or 1.0)
  if (ctx.friends or 0) > 6 then sessions = sessions * 1.2 end
  local credit = ctx.credit or 600
  return {
    sessions = sessions,
    circles = {
      ["campus-diary"] = (student or bad) and 3 or 1,
      ["white-collar-diary"] = user.occupation == "office_worker" and 3 or 1,
      ["nearby"] = 1,
      ["friends"] = 2,
    },
    hours = HOURS,
    post = bad and 0.5 or 0.08,
    like = 0.12,
    comment = 0.05,
    tip = credit >= 650 and 0.01 or 0.003,
    tip_fen = credit >= 750 and 500 or 200,
    report = 0.004,
    report_bad = 0.35,
    bad_actor = bad,
  }
end

return M
