"""demand tier."""
