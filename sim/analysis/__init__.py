"""analysis tier."""
