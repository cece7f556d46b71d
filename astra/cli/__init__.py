"""The `astra` command: one entry point, one module per command group."""
