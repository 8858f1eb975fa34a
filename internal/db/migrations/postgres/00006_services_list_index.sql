-- +goose Up
-- Service lists filter by id (the term and area subqueries), status and
-- anonymity and sort by national, sort_name: this index answers all of it
-- without reading the rows, which keeps a broad filter over 100,000
-- services fast. ANALYZE lets the planner know it.
CREATE INDEX services_list ON services (id, status, anonymous, national, sort_name);
ANALYZE services;

-- +goose Down
DROP INDEX services_list;
