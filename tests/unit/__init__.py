"""Unit tests: the pure core, config parsing and wording; no database, no Flask app, no subprocess."""
