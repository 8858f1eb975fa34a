-- +goose Up
-- Care pathways (internal/pathways). The steps are one JSON array column,
-- not a child table: a pathway is read, validated, versioned, audited and
-- written as a whole (its steps refer to each other by id and only make
-- sense together), and nothing queries a single step. References to
-- services inside the steps are checked by the store when the pathway is
-- saved; services are archived, never deleted, so they do not dangle.
CREATE TABLE pathways (
    slug         TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    situation    TEXT NOT NULL DEFAULT '{}',
    description  TEXT NOT NULL DEFAULT '{}',
    target_group TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    review_by    TIMESTAMP,
    status       TEXT NOT NULL DEFAULT 'draft',
    steps        TEXT NOT NULL DEFAULT '[]',
    position     INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
-- The public list shows published pathways in their display order.
CREATE INDEX pathways_list ON pathways (status, position, slug);

-- +goose Down
DROP TABLE pathways;
