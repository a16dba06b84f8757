"""config tier."""
