-- +goose Up
-- Contact persons can be archived like services: a soft delete that an
-- admin can undo. Archived contacts leave lists, pages and search.
ALTER TABLE contacts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';

-- +goose Down
ALTER TABLE contacts DROP COLUMN status;
