-- +goose Up
-- Service lists are ordered by fit (issue 14): local before national,
-- verified before unverified, then by name; or by name alone. Indexes in
-- both orders let an unfiltered list read its page without sorting every
-- service.
CREATE INDEX services_fit ON services (national, (verified_at IS NULL), sort_name, id);
CREATE INDEX services_name ON services (sort_name, id);

-- +goose Down
DROP INDEX services_name;
DROP INDEX services_fit;
