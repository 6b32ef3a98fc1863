extension OpenAPIPaths {
    /// The wallet and red packets.
    static let money = #"""
    "/v1/wallet": {
      "get": {"operationId": "getBalance", "summary": "The caller's balance", "tags": ["money"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Balance"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/wallet/history": {
      "get": {"operationId": "getHistory", "summary": "Movements on the caller's account, newest first", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/Cursor"}, {"$ref": "#/components/parameters/Limit"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoryPage"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/wallet/transfers": {
      "post": {"operationId": "transfer", "summary": "Send money to another user. A replay with the same Idempotency-Key returns the first response", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewTransfer"}}}}, "responses": {"201": {"description": "Committed (or replayed)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transfer"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/wallet/top-ups": {
      "post": {"operationId": "topUp", "summary": "Admin: money into a user's account from outside. The Idempotency-Key is the admin's own: a retry replays the first top-up, and the same key naming another user or amount is 409", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewTopUp"}}}}, "responses": {"201": {"description": "Committed (or replayed)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transfer"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/red-packets": {
      "post": {"operationId": "createRedPacket", "summary": "Send a red packet to friends, a circle or listed users", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewRedPacket"}}}}, "responses": {"201": {"description": "Created (or replayed)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RedPacket"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/red-packets/{id}": {
      "get": {"operationId": "getRedPacket", "summary": "A red packet the caller sent, claimed or may claim", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/ID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RedPacketState"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/red-packets/{id}/claim": {
      "post": {"operationId": "claimRedPacket", "summary": "Claim a share; claiming again returns the same share. A packet the caller may not claim is 404, as if it did not exist", "tags": ["money"], "parameters": [{"$ref": "#/components/parameters/ID"}, {"$ref": "#/components/parameters/IdempotencyKey"}], "responses": {"201": {"description": "Claimed (or replayed)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Claim"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "410": {"$ref": "#/components/responses/Gone"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    }
    """#

    /// Experiments (admin tokens only).
    static let admin = #"""
    "/v1/experiments": {
      "get": {"operationId": "listExperiments", "summary": "Admin: every experiment with its live status", "tags": ["experiments"], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Experiments"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/experiments/{id}": {
      "get": {"operationId": "getExperiment", "summary": "Admin: one experiment's status", "tags": ["experiments"], "parameters": [{"$ref": "#/components/parameters/ExperimentID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Experiment"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/experiments/{id}/stop": {
      "post": {"operationId": "stopExperiment", "summary": "Admin: stop an experiment; everyone gets control from now on", "tags": ["experiments"], "parameters": [{"$ref": "#/components/parameters/ExperimentID"}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StopExperiment"}}}}, "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Experiment"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/UnsupportedMediaType"}, "422": {"$ref": "#/components/responses/Unprocessable"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    },
    "/v1/experiments/{id}/report": {
      "get": {"operationId": "experimentReport", "summary": "Admin: the A/B report, the document `quanzi ab analyze` writes to report.json (reading it never stops the experiment)", "tags": ["experiments"], "parameters": [{"$ref": "#/components/parameters/ExperimentID"}], "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentReport"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "429": {"$ref": "#/components/responses/RateLimited"}}}
    }
    """#
}
