-- +goose Up
-- Reference data: loaded from seed/municipalities.csv.
CREATE TABLE municipalities (
    code        TEXT PRIMARY KEY,
    name_fi     TEXT NOT NULL,
    name_sv     TEXT NOT NULL,
    county_slug TEXT NOT NULL,
    county_fi   TEXT NOT NULL,
    county_sv   TEXT NOT NULL,
    region_fi   TEXT NOT NULL
);
CREATE INDEX municipalities_county ON municipalities (county_slug);

-- Controlled vocabularies (HSDS taxonomies) and their terms.
CREATE TABLE vocabularies (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE terms (
    vocabulary  TEXT NOT NULL REFERENCES vocabularies (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '{}',
    position    INTEGER NOT NULL,
    PRIMARY KEY (vocabulary, id)
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '{}',
    kind        TEXT NOT NULL DEFAULT 'other',
    url         TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    verified_at TIMESTAMPTZ,
    review_by   TIMESTAMPTZ,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE networks (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    short_name  TEXT NOT NULL DEFAULT '{}',
    description TEXT NOT NULL DEFAULT '{}',
    meeting     TEXT NOT NULL DEFAULT '{}',
    member_info TEXT NOT NULL DEFAULT '{}',
    counties    TEXT NOT NULL DEFAULT '[]',
    extra_municipalities TEXT NOT NULL DEFAULT '[]',
    goals       TEXT NOT NULL DEFAULT '[]',
    professions TEXT NOT NULL DEFAULT '[]',
    newsletters TEXT NOT NULL DEFAULT '[]',
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
-- Derived from networks.counties plus explicit municipalities; rewritten
-- with the network in the same transaction.
CREATE TABLE network_municipalities (
    network_slug      TEXT NOT NULL REFERENCES networks (slug) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    PRIMARY KEY (network_slug, municipality_code)
);
CREATE INDEX network_municipalities_code ON network_municipalities (municipality_code);

CREATE TABLE services (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT REFERENCES organizations (id),
    name              TEXT NOT NULL,
    sort_name         TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '{}',
    target_groups     TEXT NOT NULL DEFAULT '[]',
    service_types     TEXT NOT NULL DEFAULT '[]',
    delivery_modes    TEXT NOT NULL DEFAULT '[]',
    languages         TEXT NOT NULL DEFAULT '[]',
    cost              TEXT NOT NULL DEFAULT '{}',
    referral_required BOOLEAN,
    anonymous         BOOLEAN,
    identity_recorded BOOLEAN,
    reporting         TEXT NOT NULL DEFAULT '[]',
    eligibility       TEXT NOT NULL DEFAULT '{}',
    age_min           INTEGER,
    age_max           INTEGER,
    how_to_refer      TEXT NOT NULL DEFAULT '{}',
    self_referral     TEXT NOT NULL DEFAULT '{}',
    url               TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    phones            TEXT NOT NULL DEFAULT '[]',
    hours             TEXT NOT NULL DEFAULT '[]',
    hours_exceptions  TEXT NOT NULL DEFAULT '[]',
    hours_note        TEXT NOT NULL DEFAULT '{}',
    area              TEXT NOT NULL DEFAULT '{}',
    national          BOOLEAN NOT NULL DEFAULT FALSE,
    status            TEXT NOT NULL DEFAULT 'active',
    alert             TEXT NOT NULL DEFAULT '{}',
    verified_at       TIMESTAMPTZ,
    review_by         TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
-- Lists show local services before national ones, then by name.
CREATE INDEX services_order ON services (national, sort_name, id);
CREATE INDEX services_org ON services (organization_id);
-- Counting listings by status reads this index, not the wide rows.
CREATE INDEX services_status ON services (status);
-- Derived rows for filtering (service area and taxonomy terms), rewritten
-- with the service in the same transaction.
CREATE TABLE service_areas (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    PRIMARY KEY (service_id, kind, ref)
);
CREATE INDEX service_areas_ref ON service_areas (kind, ref, service_id);
CREATE TABLE service_terms (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    vocabulary TEXT NOT NULL,
    term       TEXT NOT NULL,
    PRIMARY KEY (service_id, vocabulary, term)
);
CREATE INDEX service_terms_term ON service_terms (vocabulary, term, service_id);

CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    sort_name       TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '{}',
    profession      TEXT NOT NULL DEFAULT '',
    organization_id TEXT REFERENCES organizations (id),
    organization    TEXT NOT NULL DEFAULT '{}',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    network_slug    TEXT REFERENCES networks (slug),
    role            TEXT NOT NULL,
    languages       TEXT NOT NULL DEFAULT '[]',
    visibility      TEXT NOT NULL DEFAULT '{}',
    source          TEXT NOT NULL DEFAULT '',
    verified_at     TIMESTAMPTZ,
    review_by       TIMESTAMPTZ,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_network ON contacts (network_slug, sort_name);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE TABLE user_networks (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network_slug TEXT NOT NULL REFERENCES networks (slug),
    PRIMARY KEY (user_id, network_slug)
);

-- The change log the search index follows (see DESIGN.md).
CREATE TABLE change_log (
    seq        BIGSERIAL PRIMARY KEY,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    op         TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    -- The writing transaction's id: a reader that only takes changes older
    -- than the oldest running transaction never skips one that took its
    -- seq earlier but committed later.
    txid       XID8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX change_log_txid ON change_log (txid);
-- +goose StatementBegin
CREATE FUNCTION change_log_notify() RETURNS trigger AS $$
BEGIN
    -- A wake-up only (DESIGN.md): one per statement, and PostgreSQL folds
    -- identical notifications of a transaction into one, so a bulk load
    -- does not queue a notification per row.
    PERFORM pg_notify('directory_changes', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER change_log_notify AFTER INSERT ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_notify();

-- Who changed what. Append-only: the triggers refuse edits.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE change_log;
DROP FUNCTION change_log_notify;
DROP TABLE user_networks;
DROP TABLE users;
DROP TABLE contacts;
DROP TABLE service_terms;
DROP TABLE service_areas;
DROP TABLE services;
DROP TABLE network_municipalities;
DROP TABLE networks;
DROP TABLE organizations;
DROP TABLE terms;
DROP TABLE vocabularies;
DROP TABLE municipalities;
