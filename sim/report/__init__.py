"""report tier."""
