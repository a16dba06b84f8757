"""Identifiability: each unpinned value is moved to both ends of its declared range."""

from __future__ import annotations

import pytest

from sim.calibration.identifiability import variations
from sim.calibration.search import after_scenario
from sim.sweep.compose import compose_job


def test_every_variation_composes_and_moves_only_its_own_value():
    shipped = after_scenario(compose_job)
    rows = variations(shipped)
    assert [r.parameter for r in rows].count("deterrence radius") == 2
    for row in rows[1:]:
        if row.before_only:  # the offices' desk work: only the before scenario has offices
            assert not row.overrides
            before = compose_job(["scenario=taozhu_2019", *row.before_only]).scenario
            desk = before.stations["mediation_committee"].desk_work["mediator"].handling
            assert desk.median_min in (30.0, 120.0) and desk.p90_min in (90.0, 360.0)
            continue
        varied = compose_job(["scenario=future_city_2021", *row.overrides]).scenario
        moved = {
            name
            for name, kind in shipped.incident_types.items()
            if kind.root_cause is not None and kind != varied.incident_types[name]
        }
        radius = varied.deterrence["joint_duty"].radius_km
        if row.parameter.startswith("presence"):
            assert not moved and varied.prevention != shipped.prevention
            assert set(varied.prevention.effects) == {"patrol", "grid_visits"}
            continue
        if row.parameter == "deterrence radius":
            assert not moved and radius != shipped.deterrence["joint_duty"].radius_km
        else:
            assert moved == {"dispute", "municipal", "market"}
            assert radius == shipped.deterrence["joint_duty"].radius_km


@pytest.mark.parametrize("scale", [0.8, 1.2])
def test_the_share_settled_without_the_agency_is_scaled_for_every_type(scale):
    shipped = after_scenario(compose_job)
    row = next(
        r for r in variations(shipped) if r.setting == f"x{scale:g}" and r.p_without_scale != 1
    )
    varied = compose_job(["scenario=future_city_2021", *row.overrides]).scenario
    for name in ("dispute", "municipal", "market"):
        before = shipped.incident_types[name].root_cause.p_settled_without
        after = varied.incident_types[name].root_cause.p_settled_without
        assert after == pytest.approx(before * scale, abs=1e-4)


def _row(setting: str, p90: tuple[float, float], converged: bool = True):
    from sim.calibration.identifiability import IdentifiabilityRow, Variation
    from sim.calibration.published import AFTER, BEFORE
    from sim.calibration.search import Evaluation, FitPoint

    point = FitPoint(27.0, 0.4, 0.25, 0.05, 0.06)
    runs = {
        BEFORE: [{"settle_min_p90": p90[0], "settled_same_day_share": 0.7}],
        AFTER: [{"settle_min_p90": p90[1], "settled_same_day_share": 0.8}],
    }
    return IdentifiabilityRow(Variation("x", setting, ()), Evaluation(point, runs, converged, 3))


def test_the_summary_says_when_a_conclusion_does_not_hold_in_every_row():
    from sim.calibration.identifiability import summarise_identifiability

    holds = summarise_identifiability([_row("a", (600.0, 60.0)), _row("b", (500.0, 100.0))])
    assert "In every row, settlement is faster" in holds and "10% to 20% of before" in holds
    fails = summarise_identifiability([_row("a", (600.0, 60.0)), _row("b", (100.0, 150.0), False)])
    assert "NOT in every row" in fails and "Not fitted" in fails and "x b" in fails


def test_the_share_presence_explains_is_the_added_prevention_over_the_area_before():
    from sim.calibration.notes import presence_share
    from sim.calibration.published import AFTER, BEFORE

    area = "area_future_city"
    runs = {
        BEFORE: [{f"{area}_prevented_per_day": 0.3, f"{area}_incidents_per_day": 8.0}],
        AFTER: [{f"{area}_prevented_per_day": 0.7, f"{area}_incidents_per_day": 5.5}],
    }
    assert presence_share(runs) == pytest.approx(0.05)
    del runs[AFTER][0][f"{area}_prevented_per_day"]  # a scenario without presence
    assert presence_share(runs) != presence_share(runs)  # NaN
