"""Experiments: output analysis, placement, comparisons and sweeps."""
