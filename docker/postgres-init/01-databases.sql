-- Runs once, when the postgres-data volume is empty (the first
-- `docker compose up`, or the first one after `docker compose down -v`).
-- One database per service; each service creates its own tables on start.
CREATE DATABASE provider;
CREATE DATABASE client;
CREATE DATABASE todos;
