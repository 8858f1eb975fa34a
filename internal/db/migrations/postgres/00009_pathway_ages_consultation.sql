-- +goose Up
-- The ages a pathway is for (issue 15): a child victim's pathway offers no
-- service for adults only, even when the client's age is not given.
ALTER TABLE pathways ADD COLUMN age_min INTEGER;
ALTER TABLE pathways ADD COLUMN age_max INTEGER;

-- Every wellbeing services county's consultation network (issue 15): whom
-- a professional anywhere asks, named by the pathways of that county's
-- municipalities. One row per county, so a county never has two.
CREATE TABLE consultation_networks (
    county_slug  TEXT PRIMARY KEY,
    network_slug TEXT NOT NULL REFERENCES networks (slug),
    note         TEXT NOT NULL DEFAULT '{}',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE consultation_networks;
ALTER TABLE pathways DROP COLUMN age_max;
ALTER TABLE pathways DROP COLUMN age_min;
