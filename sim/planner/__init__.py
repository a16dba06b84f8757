"""planner tier."""
