-- +goose Up
-- Login throttles in the database (issue 16): they survive a restart and
-- every instance on the database shares them.

-- One token bucket per row, kept as GCRA's theoretical arrival time in
-- Unix microseconds: an event is allowed while tat - now is within the
-- burst, and one statement (an upsert with a condition) both decides and
-- counts it, so concurrent logins cannot overdraw a bucket. The key is an
-- HMAC of the bucket's name ("account and address", "device", ...) under
-- the salt below, never an e-mail or an address as typed. A row whose
-- tat has passed is a full bucket and is purged.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
CREATE INDEX login_throttle_tat ON login_throttle (tat);

-- Browsers that have logged in to an account (OWASP's device cookies): a
-- login attempt from one of them is throttled on its own, so an attacker
-- guessing the account's password does not lock its owner out. Only the
-- SHA-256 of the cookie's random token is stored.
CREATE TABLE login_devices (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL
);
CREATE INDEX login_devices_user ON login_devices (user_id, last_used_at);

-- Secrets the instances of a deployment share, made on first use.
CREATE TABLE auth_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE auth_secrets;
DROP TABLE login_devices;
DROP TABLE login_throttle;
