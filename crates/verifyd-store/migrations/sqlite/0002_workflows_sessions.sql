-- Workflows (current spec plus every version sessions were pinned to), per-application
-- counters, sessions and their review/activity items. A session's full record, which holds
-- personal data and check results, is sealed in body_sealed; the plain columns are only
-- what listing and filtering need.
CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    version BIGINT NOT NULL,
    is_deleted BIGINT NOT NULL DEFAULT 0,
    is_default BIGINT NOT NULL DEFAULT 0,
    spec TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX workflows_app ON workflows(app_id, created_at);

CREATE TABLE workflow_versions (
    workflow_id TEXT NOT NULL REFERENCES workflows(id),
    version BIGINT NOT NULL,
    spec TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

CREATE TABLE counters (
    app_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (app_id, name)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    session_number BIGINT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    workflow_version BIGINT NOT NULL,
    status TEXT NOT NULL,
    vendor_data TEXT,
    country TEXT,
    document_type TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    body_sealed TEXT NOT NULL,
    UNIQUE (app_id, session_number)
);
CREATE INDEX sessions_app_vendor ON sessions(app_id, vendor_data);
CREATE INDEX sessions_status_expiry ON sessions(status, expires_at);

CREATE TABLE session_reviews (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX session_reviews_session ON session_reviews(session_id, created_at);
