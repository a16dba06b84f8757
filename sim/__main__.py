"""`python -m sim` runs the jointduty command."""

from sim.cli import console_main

console_main()
