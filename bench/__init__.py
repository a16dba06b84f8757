"""Benchmarks of jointduty: speed as ratios against SimPy and Ciw, sweep scaling, province scale.

Run `python -m bench` (or `python -m bench --quick` for a smoke check); the results and how to
read them are in `bench/README.md`. Timings are ratios measured inside one run, interleaved,
so that a noisy machine slows both sides alike. Nothing here is imported by `sim`.
"""
