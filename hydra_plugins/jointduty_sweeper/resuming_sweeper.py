"""The resuming sweeper as a Hydra plugin class (see `sim.sweep.sweeper`)."""

from __future__ import annotations

from sim.sweep.sweeper import ResumingSweeperBase


class ResumingSweeper(ResumingSweeperBase):
    """Hydra's basic sweeper that skips completed jobs and always writes the sweep table."""
