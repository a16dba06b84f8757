"""cli tier."""
