"""Live updates: the server-sent events stream for staff (SPEC §6), fanned out across
processes by PostgreSQL `LISTEN/NOTIFY` (in-process on SQLite) and resumable from a short,
ordered log (`models.stream`)."""
