-- Sanctions and PEP lists imported by `verifyd lists import` or the scheduled refresh: one row
-- per published list, replaced as a whole in one statement, so a server never screens against
-- half a list. `entities` is the list in verifyd's own entity model (JSON); lists are public
-- data, so they are not sealed. `imported_at` (microseconds) tells running nodes to rebuild.
CREATE TABLE sanctions_lists (
    source TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    entity_count BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    entities TEXT NOT NULL
);
