"""calibration tier."""
