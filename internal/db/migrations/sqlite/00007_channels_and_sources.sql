-- +goose Up
-- How to get in touch, and where a listing came from (issue 12): the
-- places a service is visited at (address, WGS84 coordinates, their own
-- hours and phones), links beyond the one web address (e-services, chat),
-- "open around the clock", the source a listing was loaded or imported
-- from, the values the source last gave for the fields it owns, and the
-- source's changes to fields an editor has overridden, waiting for the
-- editor to accept or keep theirs.
ALTER TABLE services ADD COLUMN locations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN always_open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE services ADD COLUMN source TEXT NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN source_values TEXT NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN source_changes TEXT NOT NULL DEFAULT '[]';

-- An importer's checkpoint: the time up to which a source has been read
-- and stored, saved only after a run succeeds, and when it was last read
-- whole.
CREATE TABLE import_checkpoints (
    source      TEXT PRIMARY KEY,
    changed_to  TIMESTAMP NOT NULL,
    full_at     TIMESTAMP,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE import_checkpoints;
ALTER TABLE services DROP COLUMN source_changes;
ALTER TABLE services DROP COLUMN source_values;
ALTER TABLE services DROP COLUMN source;
ALTER TABLE services DROP COLUMN always_open;
ALTER TABLE services DROP COLUMN links;
ALTER TABLE services DROP COLUMN locations;
