"""`python -m sim` runs the jointduty command."""

from sim.cli.main import console_main

console_main()
