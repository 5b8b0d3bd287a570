-- A signing key is published before it signs (RFC 9700 §2.6 rotation):
-- `signs_from` is the unix time from which it may sign, one JWKS cache
-- lifetime after it first appeared in the JWKS. Keys that existed before
-- this column signed from their creation.
ALTER TABLE signing_keys ADD COLUMN signs_from BIGINT NOT NULL DEFAULT 0;
UPDATE signing_keys SET signs_from = created_at;
