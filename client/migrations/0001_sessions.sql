-- Server-side sessions (tower-sessions, through shared::session_store).
--
-- The browser holds only the random session id, in the `client_session`
-- cookie; everything the client remembers about that browser lives here:
-- the login in progress (state, nonce, PKCE verifier), the logged-in user
-- and the flow inspector's record. Keeping it in the database (rather than
-- in memory) means a restart of the client logs nobody out.
CREATE TABLE sessions (
    -- The session id from the cookie (128 random bits).
    id TEXT PRIMARY KEY,
    -- The session's values, as JSON.
    data TEXT NOT NULL,
    -- Unix seconds; expired rows are never loaded and are deleted hourly.
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);
