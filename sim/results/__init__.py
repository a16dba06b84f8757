"""results tier."""
