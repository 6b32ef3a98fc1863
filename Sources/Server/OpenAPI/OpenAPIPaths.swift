/// The `paths` of `OpenAPIDocument`, by area.
enum OpenAPIPaths {
    /// Health, metrics and this document: no token.
    static let operations = #"""
    "/healthz": {
      "get": {"operationId": "health", "summary": "Liveness: the database answers", "tags": ["operations"], "security": [], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}
    },
    "/metrics": {
      "get": {"operationId": "metrics", "summary": "Prometheus metrics (text exposition format 0.0.4)", "tags": ["operations"], "security": [], "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}
    },
    "/openapi.json": {
      "get": {"operationId": "openapi", "summary": "This document", "tags": ["operations"], "security": [], "responses": {"200": {"description": "OpenAPI 3.0 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    }
    """#

    /// The caller, other users and friendships.
    static let people = #"""
    "/v1/me": {
      "get": {"operationId": "getMe", "summary": "The caller's profile, with the attributes rules read", "tags": ["me"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/me/token": {
      "delete": {"operationId": "logOut", "summary": "Log out: revoke the bearer token of this request (the caller's other tokens keep working); it answers 401 from then on", "tags": ["me"], "responses": {"204": {"description": "Revoked"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/me/credit": {
      "get": {"operationId": "getMyCredit", "summary": "The caller's credit score (350–950) with dimensions and reasons", "tags": ["me"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Credit"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/users/{id}": {
      "get": {"operationId": "getUser", "summary": "Another user's public card", "tags": ["users"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublicUser"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends": {
      "get": {"operationId": "listFriends", "summary": "The caller's friends", "tags": ["friends"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Friends"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends/{id}": {
      "delete": {"operationId": "removeFriend", "summary": "End a friendship", "tags": ["friends"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"204": {"description": "Done"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends/requests": {
      "get": {"operationId": "listFriendRequests", "summary": "Pending friend requests to the caller", "tags": ["friends"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FriendRequests"}}}, "links": {"AcceptFirst": {"operationId": "acceptFriendRequest", "parameters": {"id": "$response.body#/requests/0/id"}, "description": "Accept the first pending request"}, "DeclineFirst": {"operationId": "declineFriendRequest", "parameters": {"id": "$response.body#/requests/0/id"}, "description": "Decline the first pending request"}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}},
      "post": {"operationId": "sendFriendRequest", "summary": "Ask someone to be friends", "tags": ["friends"], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewFriendRequest"}}}}, "responses": {"201": {"description": "Sent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FriendRequest"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends/requests/{id}/accept": {
      "post": {"operationId": "acceptFriendRequest", "summary": "Accept a pending request sent to the caller", "tags": ["friends"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FriendRequest"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends/requests/{id}/decline": {
      "post": {"operationId": "declineFriendRequest", "summary": "Decline a pending request sent to the caller", "tags": ["friends"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FriendRequest"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/friends/suggestions": {
      "get": {"operationId": "friendSuggestions", "summary": "People the caller pays or is paid by who are not friends yet", "tags": ["friends"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Suggestions"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    }
    """#

    /// Circles, posts, comments, likes, reports and tips.
    static let circles = #"""
    "/v1/circles": {
      "get": {"operationId": "listCircles", "summary": "Every circle the plugins declare", "tags": ["circles"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Circles"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/circles/{id}": {
      "get": {"operationId": "getCircle", "summary": "One circle, with what the caller may do there and why not", "tags": ["circles"], "parameters": [{"$ref": "#/components/parameters/CircleID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Circle"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/circles/{id}/feed": {
      "get": {"operationId": "getFeed", "summary": "The circle's ranked feed for the caller; showing a page records its posts as viewed", "tags": ["circles"], "parameters": [{"$ref": "#/components/parameters/CircleID"}, {"$ref": "#/components/parameters/FeedCursor"}, {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Explain"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Feed"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/circles/{id}/posts": {
      "post": {"operationId": "createPost", "summary": "Post in a circle (its post rule decides)", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/CircleID"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPost"}}}}, "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}": {
      "get": {"operationId": "getPost", "summary": "A post the caller may view", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}},
      "delete": {"operationId": "deletePost", "summary": "Delete one's own post", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"204": {"description": "Done"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}/comments": {
      "get": {"operationId": "listComments", "summary": "Comments on a post, oldest first", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}, {"$ref": "#/components/parameters/Cursor"}, {"$ref": "#/components/parameters/Limit"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommentsPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}},
      "post": {"operationId": "createComment", "summary": "Comment on a post (its circle's comment rule decides)", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewComment"}}}}, "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comment"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}/likes": {
      "post": {"operationId": "likePost", "summary": "Like a post", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"204": {"description": "Done"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}/reports": {
      "post": {"operationId": "reportPost", "summary": "Report a post; enough reports hide it", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewReport"}}}}, "responses": {"201": {"description": "Reported", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}/show-less": {
      "post": {"operationId": "showLessOfPost", "summary": "Show less like this: the post's author ranks lower in the caller's feeds (the circle's ranking.show_less_penalty, times log1p of the caller's marks on that author's posts; explain shows it as show_less). Idempotent per post; one's own post is 422 same_user", "tags": ["posts"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"204": {"description": "Done"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/posts/{id}/tips": {
      "post": {"operationId": "tipPost", "summary": "Tip a post's author (the circle's tip rule decides). A replay with the same Idempotency-Key returns the first response, even if the post was hidden or the rule changed since", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/ID"}, {"$ref": "#/components/parameters/IdempotencyKey"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewTip"}}}}, "responses": {"201": {"description": "Tipped (or replayed)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transfer"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    }
    """#
}
