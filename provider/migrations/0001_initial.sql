-- The authorization server's state. Everything that must survive a restart
-- lives here: users, clients, sessions, consents, grants, codes, tokens and
-- signing keys.
--
-- Portable between SQLite and PostgreSQL: TEXT / BIGINT / INTEGER only, times
-- as unix seconds (BIGINT), booleans as 0/1 (INTEGER), lists as JSON text.

-- Resource owners (RFC 6749 §1.1). `id` is the stable, never-reassigned
-- subject identifier (`sub`, OIDC Core §2); the username can change.
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    -- argon2id PHC string: "$argon2id$v=19$m=19456,t=2,p=1$salt$hash"
    password_hash   TEXT NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

-- Registered clients (RFC 6749 §2), upserted from the clients file at start.
CREATE TABLE clients (
    id                          TEXT PRIMARY KEY,
    -- argon2id of the secret; NULL for public clients (auth method "none").
    secret_hash                 TEXT,
    name                        TEXT NOT NULL,
    redirect_uris               TEXT NOT NULL,  -- JSON array of exact strings
    post_logout_redirect_uris   TEXT NOT NULL,  -- JSON array
    first_party                 INTEGER NOT NULL,
    grant_types                 TEXT NOT NULL,  -- JSON array
    response_types              TEXT NOT NULL,  -- JSON array
    response_modes              TEXT NOT NULL,  -- JSON array
    auth_methods                TEXT NOT NULL,  -- JSON array
    scopes                      TEXT NOT NULL,  -- space-delimited
    require_pkce                INTEGER NOT NULL,
    updated_at                  BIGINT NOT NULL
);

-- Provider sessions (the `provider_session` cookie holds only the id).
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- What a user has allowed a client (the consent screen's memory).
CREATE TABLE consents (
    user_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- A grant is one authorization: the code, and every access and refresh
-- token that descends from it, share its id (the refresh token "family" of
-- RFC 9700 §4.14.2). Revoking a grant revokes them all.
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    user_id     TEXT,             -- NULL for client_credentials
    scope       TEXT NOT NULL,
    auth_time   BIGINT,
    nonce       TEXT,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX grants_user_client ON grants (user_id, client_id);

-- Authorization codes (RFC 6749 §4.1.2). Only the SHA-256 of the code is
-- kept. Redeeming sets `redeemed_at` in one UPDATE ... RETURNING, so two
-- concurrent redemptions cannot both succeed; the row stays so that a replay
-- can be recognised and the grant revoked (RFC 6749 §4.1.2).
CREATE TABLE authorization_codes (
    code_hash       TEXT PRIMARY KEY,
    grant_id        TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT,          -- NULL when the request had no PKCE
    expires_at      BIGINT NOT NULL,
    redeemed_at     BIGINT
);

-- Access tokens are JWTs and validate on their own; this table records
-- their `jti` so introspection and revocation can say "revoked".
CREATE TABLE access_tokens (
    jti         TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);

-- Refresh tokens (RFC 6749 §6), stored hashed. Each use rotates: the old row
-- gets `rotated_at`, a new row is inserted in the same family (grant).
-- Presenting a rotated token again is reuse, and revokes the family.
CREATE TABLE refresh_tokens (
    token_hash          TEXT PRIMARY KEY,
    grant_id            TEXT NOT NULL,
    client_id           TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    scope               TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    -- Absolute end of the family: rotation never extends it.
    family_expires_at   BIGINT NOT NULL,
    -- Idle limit: this token unused past this time is dead.
    expires_at          BIGINT NOT NULL,
    rotated_at          BIGINT,
    revoked             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

-- Signing keys. The newest active key signs; every key stays published in
-- the JWKS until the tokens it signed have expired (RFC 9700 §2.6 rotation).
CREATE TABLE signing_keys (
    kid             TEXT PRIMARY KEY,
    alg             TEXT NOT NULL,
    private_pem     TEXT NOT NULL,   -- PKCS#8 PEM
    created_at      BIGINT NOT NULL,
    retired_at      BIGINT           -- set when a newer key took over
);
