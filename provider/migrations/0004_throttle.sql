-- Authentication attempts per key (a username, an address, a client at an
-- address), counted in a fixed window (RFC 6749 §10.10, §2.3.1: protect
-- against brute force). In the database, not in memory, so that every
-- replica on one PostgreSQL counts the same attempts; expired rows are
-- pruned in batches.
CREATE TABLE throttle_counters (
    key             TEXT PRIMARY KEY,
    attempts        BIGINT NOT NULL,
    -- When the window of these attempts ends (unix seconds).
    window_ends_at  BIGINT NOT NULL
);
CREATE INDEX throttle_counters_window_ends_at ON throttle_counters (window_ends_at);
