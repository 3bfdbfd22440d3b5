"""Integration tests: the engine on a real database (SQLite, and PostgreSQL where asked), the CLI and the scenarios."""
