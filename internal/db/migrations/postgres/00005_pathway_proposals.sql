-- +goose Up
-- An editor's proposed change to a published pathway waits here until an
-- admin publishes or discards it; the published version stays as it is.
CREATE TABLE pathway_proposals (
    slug         TEXT PRIMARY KEY REFERENCES pathways (slug) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    proposed_by  TEXT NOT NULL,
    proposed_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE pathway_proposals;
