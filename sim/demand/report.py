"""The short text report of `jointduty fit-demand`: what was used, what came out, how well.

Printed after a fit: the rows read and why some were left out, the window and the rates,
the shape of the hour and weekday profiles, how separable the hour x weekday table is, the
top types and the hotspots. Warnings (gaps, unmapped types) go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.demand.fit import DemandFit

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
N_TYPES_SHOWN = 6


def print_summary(fit: DemandFit, written: list[Path]) -> None:
    print("\n".join(summary_lines(fit, written)))


def summary_lines(fit: DemandFit, written: list[Path]) -> list[str]:
    p = fit.profile
    hours = p.hour_of_day
    lines = [
        f"rows: {fit.n_rows_read:,} read, {fit.n_excluded:,} excluded, {fit.n_outside_window:,} "
        f"outside the window, {fit.n_dropped_types:,} of dropped types -> {p.n_calls:,} calls used"
        f" (timestamps as {fit.time_format!r})",
        f"window: {fit.start} to {fit.end}, {p.observed_days:.2f} observed days"
        + (f" ({len(p.gaps)} gap(s) left out)" if p.gaps else ""),
        f"rate: {p.observed_per_day:,.1f} calls a day observed; per_day (week average) "
        f"{p.per_day:,.1f}",
        f"hour of day: peak {int(np.argmax(hours)):02d}h (x{hours.max():.2f}), trough "
        f"{int(np.argmin(hours)):02d}h (x{hours.min():.2f})",
        "day of week: "
        + " ".join(f"{d} {w:.2f}" for d, w in zip(WEEKDAYS, p.day_of_week, strict=True)),
        _separability_line(fit),
        "types: " + ", ".join(f"{n} {100 * s:.1f} %" for n, s in _top(fit.type_shares)),
    ]
    lines += _place_lines(fit)
    lines.append("wrote: " + ", ".join(str(path) for path in written))
    return lines


def _separability_line(fit: DemandFit) -> str:
    sep = fit.profile.separability
    day, hour = sep.worst_cell
    p_text = "n/a" if np.isnan(sep.p_value) else f"{sep.p_value:.2g}"
    return (
        f"separability: hour x weekday profile explains {100 * sep.share_explained:.1f} % of a "
        f"flat rate's deviance; G2 = {sep.g2:,.1f} on {sep.df} df (p = {p_text}); largest "
        f"departure {WEEKDAYS[day]} {hour:02d}h (observed/fitted {sep.worst_ratio:.2f})"
    )


def _top(shares: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(shares.items(), key=lambda item: -item[1])[:N_TYPES_SHOWN]


def _place_lines(fit: DemandFit) -> list[str]:
    if fit.frame is None or fit.hotspots is None:
        return ["places: no coordinates given: region and hotspots are placeholders"]
    frame, spots = fit.frame, fit.hotspots
    p = frame.projection
    n_unplaced = len(fit.calls) - int(frame.inside.sum())
    lines = [
        f"region: {frame.width_km:.2f} x {frame.height_km:.2f} km from origin "
        f"({p.origin_lat_deg:.5f}, {p.origin_lon_deg:.5f}); {n_unplaced:,} calls without a "
        "place inside it (missing or trimmed)",
        f"hotspots: {len(spots.hotspots)} found, background weight {spots.background_weight:.3f}",
    ]
    for index, spot in enumerate(spots.hotspots, start=1):
        lines.append(
            f"  h{index}: ({spot.x_km:.2f}, {spot.y_km:.2f}) km, weight {spot.weight:.3f}, "
            f"spread {spot.spread_km:.2f} km"
        )
    return lines
