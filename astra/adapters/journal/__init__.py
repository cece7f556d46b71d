"""The durable SQLite journal: store, schema and migrations, run manifests, recovery readers,
backups and the consistency checker. See docs/journal.md."""
