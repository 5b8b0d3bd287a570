-- Indexes for the background pruning (`provider::prune`), which deletes
-- expired rows in small batches: each batch finds its rows by expiry time,
-- so each table it prunes needs an index on that time, or every batch
-- would read the whole table. (Every other lookup already has one: codes,
-- access and refresh tokens by their primary key, the token families by
-- grant_id, consents by (user_id, client_id), sessions by id and
-- expires_at.)

-- Codes: spent or expired, kept a day for replay detection.
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

-- The access-token log: a row is useless once its token has expired.
CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

-- Refresh tokens: a whole family goes when its absolute lifetime ends; a
-- token that was never rotated goes when it has idled out (a rotated one
-- stays until its family ends, for reuse detection).
CREATE INDEX refresh_tokens_family_expires_at ON refresh_tokens (family_expires_at);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
