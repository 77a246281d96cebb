/// The OpenAPI 3.1 description of the server, served at GET /openapi.json and committed
/// as docs/openapi.json (a test keeps the two identical).
public enum OpenAPIDocument {
    public static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "RewardKit reward server",
    "version": "0.1.0",
    "description": "Scores LLM responses with a RewardKit reward spec (the same specs and scoring as `rewardkit score`). Every route but /health and /ready needs `Authorization: Bearer <key>` when the server runs with --api-key. Errors are {\"error\": message} with the status below."
  },
  "paths": {
    "/get_reward": {
      "post": {
        "summary": "OpenRLHF remote reward model protocol (--remote_rm_url); /{spec}/get_reward or ?spec= selects a spec",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenRLHFRequest"}}}},
        "responses": {
          "200": {"description": "One reward per query, in order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenRLHFResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "408": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"},
          "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/score": {
      "post": {
        "summary": "Score records shaped like `rewardkit score` input lines; /v1/score/{spec}, ?spec= or the body's `spec` selects a spec",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [
          {"$ref": "#/components/schemas/ScoreRequest"},
          {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
          {"$ref": "#/components/schemas/Record"}
        ]}}}},
        "responses": {
          "200": {"description": "One result per record, in order; a record that cannot be scored has reward null and error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "408": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Busy"},
          "504": {"description": "Deadline exceeded; `results` holds the first `done` of `total` records, scored before it (the rest were not scored)", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "done": {"type": "integer"}, "total": {"type": "integer"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}}}}
        }
      }
    },
    "/v1/specs": {"get": {"summary": "Loaded specs and their components", "responses": {"200": {"description": "Specs", "content": {"application/json": {"schema": {"type": "object", "properties": {"specs": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "path": {"type": "string"}, "uses_model": {"type": "boolean"}, "batched": {"type": "boolean"}, "group_normalize": {"type": "boolean"}, "components": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string"}}}}}}}}}}}}}}},
    "/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"const": "ok"}}}}}}}}},
    "/ready": {"get": {"summary": "Readiness: specs and models loaded", "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"const": "ready"}, "specs": {"type": "integer"}}}}}}}}},
    "/metrics": {"get": {"summary": "Prometheus text format", "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
  },
  "components": {
    "schemas": {
      "OpenRLHFRequest": {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "array", "items": {"type": "string"}, "description": "prompt + response, one decoded string each"},
        "prompts": {"type": "array", "items": {"type": "string"}, "description": "the prompt of each query; the response is what follows it"},
        "labels": {"type": "array", "items": {"type": ["string", "number", "null"]}, "description": "reference answers"}}},
      "OpenRLHFResponse": {"type": "object", "properties": {
        "rewards": {"type": "array", "items": {"type": "number"}},
        "scores": {"type": "array", "items": {"type": "number"}},
        "extra_logs": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}}, "description": "per component, plus prompt_not_found and scoring_error (0/1)"}}},
      "Record": {"type": "object", "description": "A `rewardkit score` input line: prompt or messages, response (or completion), reference or answer, steps, group or prompt_id; or a preference pair with chosen and rejected", "additionalProperties": true},
      "ScoreRequest": {"type": "object", "required": ["records"], "properties": {
        "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
        "spec": {"type": "string"},
        "group_normalize": {"type": "boolean", "description": "add GRPO `advantage` over the records' groups (default: the spec's group_normalize)"},
        "diagnostics": {"type": "boolean"}}},
      "Result": {"type": "object", "properties": {
        "reward": {"type": ["number", "null"]},
        "rewards": {"type": "object", "additionalProperties": {"type": "number"}},
        "step_rewards": {"type": "array", "items": {"type": "number"}},
        "advantage": {"type": "number"},
        "reward_chosen": {"type": "number"},
        "reward_rejected": {"type": "number"},
        "diagnostics": {"type": "object"},
        "error": {"type": "string", "description": "names the record (as `line N`, N = 1-based position) and the field"}}},
      "ScoreResponse": {"type": "object", "properties": {
        "spec": {"type": "string"}, "count": {"type": "integer"}, "errors": {"type": "integer"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}},
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
    },
    "responses": {
      "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "BadRequest": {"description": "Malformed JSON (position = byte offset) or a bad field", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "position": {"type": "integer"}}}}}},
      "Busy": {"description": "Too many requests in flight; see Retry-After", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
  }
}
"""#
}
