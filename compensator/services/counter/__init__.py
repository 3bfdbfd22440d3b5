"""counter."""
