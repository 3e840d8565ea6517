-- Face templates of the 1:N index (face search, duplicates, face blocklists), per application.
-- The 128-float template is sealed (AES-GCM) like all biometric data; vendor_data too. A
-- template goes when its session is deleted. `source`: session | list_entry | face_search;
-- `list_kind` (blocklist | allowlist) is set for list entries; `api_service` names the
-- standalone check a saved API call came from.
CREATE TABLE face_templates (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    session_id TEXT,
    list_entry_id TEXT,
    source TEXT NOT NULL,
    list_kind TEXT,
    api_service TEXT,
    status TEXT,
    vendor_data_sealed TEXT,
    template_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX face_templates_app ON face_templates(app_id, created_at);
CREATE INDEX face_templates_session ON face_templates(app_id, session_id);
