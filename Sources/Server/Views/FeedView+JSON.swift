/// The feed page written with `JSONWriter`: the same bytes as `APIJSON.encoder`, keys in
/// sorted order, absent optionals left out.
extension FeedView {
    func jsonBytes() throws -> [UInt8] {
        var json = JSONWriter(capacity: 256 + items.count * 384)
        json.beginObject()
        json.key("items")
        json.beginArray()
        for item in items { try item.write(to: &json) }
        json.endArray()
        if let nextCursor {
            json.key("next_cursor")
            json.string(nextCursor)
        }
        if let parameters {
            json.key("parameters")
            try parameters.write(to: &json)
        }
        json.endObject()
        return json.bytes
    }
}

extension FeedView.Item {
    func write(to json: inout JSONWriter) throws {
        json.beginObject()
        if let explanation {
            json.key("explanation")
            try explanation.write(to: &json)
        }
        json.key("post")
        post.write(to: &json)
        if let score {
            json.key("score")
            try json.number(score)
        }
        json.endObject()
    }
}

extension PostView {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("author_id")
        json.integer(authorID)
        json.key("body")
        json.string(body)
        json.key("circle_id")
        json.string(circleID)
        json.key("comment_count")
        json.integer(commentCount)
        json.key("created_at")
        json.integer(createdAt)
        json.key("id")
        json.integer(id)
        json.key("kind")
        json.string(kind)
        json.key("like_count")
        json.integer(likeCount)
        json.endObject()
    }
}

extension FeedView.ExplanationView {
    func write(to json: inout JSONWriter) throws {
        json.beginObject()
        json.key("affinity")
        try json.number(affinity)
        json.key("age_seconds")
        json.integer(ageSeconds)
        json.key("contributions")
        json.beginArray()
        for contribution in contributions {
            json.beginObject()
            json.key("feature")
            json.string(contribution.feature)
            json.key("value")
            try json.number(contribution.value)
            json.endObject()
        }
        json.endArray()
        json.key("decay")
        try json.number(decay)
        json.key("is_friend")
        json.bool(isFriend)
        json.key("is_seen")
        json.bool(isSeen)
        json.key("private_terms_hidden")
        json.bool(privateTermsHidden)
        json.endObject()
    }
}

extension FeedView.ParametersView {
    func write(to json: inout JSONWriter) throws {
        json.beginObject()
        json.key("affinity_weight")
        try json.number(affinityWeight)
        json.key("credit_weight")
        try json.number(creditWeight)
        json.key("engagement_weight")
        try json.number(engagementWeight)
        json.key("friendship_weight")
        try json.number(friendshipWeight)
        json.key("half_life_hours")
        try json.number(halfLifeHours)
        json.key("max_per_author")
        json.integer(maxPerAuthor)
        json.key("report_penalty")
        try json.number(reportPenalty)
        json.key("seen_penalty")
        try json.number(seenPenalty)
        json.key("show_less_kind_penalty")
        try json.number(showLessKindPenalty)
        json.key("show_less_penalty")
        try json.number(showLessPenalty)
        json.key("tips_weight")
        try json.number(tipsWeight)
        json.endObject()
    }
}
