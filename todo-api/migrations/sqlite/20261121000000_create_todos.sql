-- The todos, one row each, owned by a user as the token names them.
--
-- The owner is the pair (owner_iss, owner_sub): `sub` is unique only within
-- its issuer (OIDC Core §2), and never an email address, which can change.
--
-- SQLite and PostgreSQL spell an auto-incrementing key differently; that is
-- the only difference between this file and ../postgres/. Booleans are
-- INTEGER 0/1 and times BIGINT unix seconds, which both databases (and sqlx's
-- `Any` driver) read the same way.
CREATE TABLE todos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_iss   TEXT    NOT NULL,
    owner_sub   TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL
);

-- Every query filters by owner and lists newest first.
CREATE INDEX todos_by_owner ON todos (owner_iss, owner_sub, created_at DESC, id DESC);
