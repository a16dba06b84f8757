"""experiment tier."""
