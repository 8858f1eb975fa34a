-- +goose Up
-- Accounts, sessions and correction reports (issue 5).

-- The TOTP secret is stored as it is, not encrypted: a key to encrypt it
-- would live in the same deployment as the database (flags, environment),
-- so it would add key handling without keeping the secret from anyone who
-- can read both. The second factor guards against stolen and reused
-- passwords, which a database reader does not need. Never audited or shown.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
-- The secret is pending (being enrolled) until this is true.
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
-- The newest TOTP time step used: a code is accepted once only.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;
-- Bumped to end every session of the user at once (password change,
-- deactivation, TOTP change): a session is valid only while its epoch is
-- the user's, so the users row alone decides, in the same transaction.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Server-side sessions. Only the SHA-256 of the random token is stored, so
-- a copy of the database does not hold usable cookies.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    epoch        INTEGER NOT NULL,
    -- A session of an admin who must enrol in TOTP first: good only for
    -- the enrolment page.
    enrol_only   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    -- A browser and system summary ("Firefox, Linux"), not the header.
    user_agent   TEXT NOT NULL DEFAULT '',
    revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Reports that a listing is wrong. Anyone may send one; nothing about the
-- reporter (identity, address, browser) is stored.
CREATE TABLE correction_reports (
    id          TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by TEXT REFERENCES users (id),
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX correction_reports_open ON correction_reports (resolved_at, created_at);
CREATE INDEX correction_reports_entity ON correction_reports (entity, entity_id);
-- The networks whose dashboards show the report: every network the listing
-- belongs to. A report with none (a national service) is for admins.
CREATE TABLE correction_report_networks (
    report_id    TEXT NOT NULL REFERENCES correction_reports (id) ON DELETE CASCADE,
    network_slug TEXT NOT NULL REFERENCES networks (slug) ON DELETE CASCADE,
    PRIMARY KEY (report_id, network_slug)
);
CREATE INDEX correction_report_networks_slug ON correction_report_networks (network_slug, report_id);

-- +goose Down
DROP TABLE correction_report_networks;
DROP TABLE correction_reports;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN session_epoch;
ALTER TABLE users DROP COLUMN password_changed_at;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_enabled;
ALTER TABLE users DROP COLUMN totp_secret;
