-- Lists (system blocklists per entry type, allowlists, custom lists) and their entries;
-- users aggregated by vendor_data; questionnaires; share-token imports; the credits ledger.
-- Entry values and user profiles are personal data: sealed (AES-GCM) in body_sealed, with a
-- keyed hash of the normalised value (value_hash) for lookups. Times are epoch microseconds.
CREATE TABLE lists (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    name TEXT NOT NULL,
    list_type TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    description TEXT,
    -- "{app_id}:{entry_type}" for system blocklists, NULL otherwise: one per app and type.
    system_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX lists_app ON lists(app_id, created_at);

CREATE TABLE list_entries (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    list_id TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    entry_type TEXT NOT NULL,
    value_hash TEXT,
    reference_session_id TEXT,
    body_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (list_id, value_hash)
);
CREATE INDEX list_entries_list ON list_entries(list_id, created_at);
CREATE INDEX list_entries_lookup ON list_entries(app_id, entry_type, value_hash);

CREATE TABLE vendor_users (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    vendor_data TEXT NOT NULL,
    status TEXT NOT NULL,
    body_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (app_id, vendor_data)
);

CREATE TABLE questionnaires (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX questionnaires_app ON questionnaires(app_id, created_at);

-- One import per (source session, receiving application), claimed before the copy is made.
CREATE TABLE shared_imports (
    source_session_id TEXT NOT NULL,
    receiver_app_id TEXT NOT NULL,
    imported_session_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (source_session_id, receiver_app_id)
);

-- Credits in ten-thousandths of a dollar; the balance is the sum. A charge carries the id of
-- what it paid for, so a session or request is charged at most once.
CREATE TABLE credit_ledger (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, reason, reference)
);
