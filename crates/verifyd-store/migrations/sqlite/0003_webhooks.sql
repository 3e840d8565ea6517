-- Webhooks: destinations per application (secrets sealed), the outbox of events (written in
-- the same transaction as the change that causes them), one delivery job per event and
-- destination, and the log of every attempt. Payloads and logged bodies hold personal data
-- (vendor_data, the decision) and are sealed. Times are microseconds since the Unix epoch.
CREATE TABLE webhook_destinations (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id),
    label TEXT NOT NULL,
    url TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    webhook_version TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    subscribed_events TEXT NOT NULL,
    is_default BIGINT NOT NULL DEFAULT 0,
    capture_method TEXT NOT NULL DEFAULT 'both',
    data_retention_months BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (app_id, url)
);
CREATE INDEX webhook_destinations_app ON webhook_destinations(app_id, created_at);

CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    session_id TEXT,
    webhook_type TEXT NOT NULL,
    payload_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_events_session ON webhook_events(app_id, session_id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    event_id TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    destination_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_token TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, destination_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    session_id TEXT,
    webhook_type TEXT NOT NULL,
    url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_body_sealed TEXT NOT NULL,
    response_status BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    succeeded BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_session ON webhook_attempts(app_id, session_id, created_at);
CREATE INDEX webhook_attempts_destination ON webhook_attempts(destination_id);
