"""sweep tier."""
