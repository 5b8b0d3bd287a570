-- Which clients may call the introspection endpoint (RFC 7662 §4): only
-- those registered for it with `may_introspect = true`.
ALTER TABLE clients ADD COLUMN may_introspect INTEGER NOT NULL DEFAULT 0;
