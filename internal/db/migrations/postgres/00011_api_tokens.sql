-- +goose Up
-- Tokens for integrations (issue 13): another system writes through the
-- API with "Authorization: Bearer <token>", as a named editor or admin
-- scoped to its networks like a session of that role. Only the SHA-256 of
-- the random token is stored, so a copy of the database holds no usable
-- token. A revoked token stays, so that the audit log's "token:<name>"
-- keeps naming it; its name is not given again.
CREATE TABLE api_tokens (
    name         TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);

CREATE TABLE api_token_networks (
    token_name   TEXT NOT NULL REFERENCES api_tokens (name) ON DELETE CASCADE,
    network_slug TEXT NOT NULL REFERENCES networks (slug),
    PRIMARY KEY (token_name, network_slug)
);

-- +goose Down
DROP TABLE api_token_networks;
DROP TABLE api_tokens;
