-- An authorization code is the first credential of its grant, so it is kept
-- in the grant's row (RFC 6749 §4.1.2): issuing a code writes that one row,
-- and spending it is one UPDATE ... RETURNING of the same row, which hands
-- back everything the token response needs. Only the code's SHA-256 is
-- kept. The row's code columns are NULL for a grant that never had a code.
--
-- Codes live a minute, so the codes in flight when this runs are dropped
-- with their table: at worst a login begun before the upgrade is retried.
ALTER TABLE grants ADD COLUMN code_hash TEXT;
ALTER TABLE grants ADD COLUMN code_redirect_uri TEXT;
ALTER TABLE grants ADD COLUMN code_challenge TEXT;
ALTER TABLE grants ADD COLUMN code_expires_at BIGINT;
ALTER TABLE grants ADD COLUMN code_redeemed_at BIGINT;

-- Redemption finds the grant by its code; a code names one grant.
CREATE UNIQUE INDEX grants_code_hash ON grants (code_hash);
-- Pruning finds expired codes by their expiry (see 0006).
CREATE INDEX grants_code_expires_at ON grants (code_expires_at);

DROP TABLE authorization_codes;
