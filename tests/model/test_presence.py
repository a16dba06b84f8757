"""Prevention from presence: the curve, the ledger's window arithmetic, the decision with
common random numbers, displacement, grid areas and the `prevention:` parser."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.config.prevention import (
    PreventionConfig,
    check_prevention_names,
    parse_prevention,
)
from sim.model.presence import (
    MIN_PER_DAY,
    GridAreas,
    PresenceLedger,
    Prevention,
    draw_prevention_uniforms,
    response,
)

TYPES = ("theft", "public_order", "dispute", "fire")
PATROL = {
    "roles": ["police", "volunteer"],
    "states": ["patrol", "post"],
    "incident_types": ["theft", "public_order"],
    "p_max": 0.5,
    "dose_half_h_per_km2_day": 2.0,
    "window_days": 7,
}
GRID_VISITS = {
    "roles": ["grid_worker"],
    "states": ["grid_walk"],
    "incident_types": ["dispute"],
    "p_max": 0.6,
    "dose_half_h_per_km2_day": 4.0,
}


def prevention(patrol: dict | None = None, cell_km: float = 1.0, **grid: float) -> Prevention:
    config = parse_prevention(
        {
            "areas": {"cell_km": cell_km},
            "effects": {"patrol": patrol or PATROL, "grid_visits": GRID_VISITS},
        }
    )
    areas = GridAreas(grid.get("width_km", 5.0), grid.get("height_km", 5.0), cell_km)
    return Prevention(config, areas, TYPES)


def daily_post(model: Prevention, area: int, hours: float, n_days: int, role: str = "volunteer"):
    """`hours` of post each evening from 18:00 in one area, for `n_days` days."""
    for day in range(n_days):
        t0 = day * MIN_PER_DAY + 18 * 60
        model.record(role, "post", area, t0, t0 + hours * 60)


# --- the curve -------------------------------------------------------------------------------


def test_the_curve_prevents_nothing_at_zero_dose_and_half_of_p_max_at_the_half_dose():
    assert response(0.0, 0.4, 3.0) == 0.0
    assert response(3.0, 0.4, 3.0) == pytest.approx(0.2)
    assert response(1e9, 0.4, 3.0) == pytest.approx(0.4)


def test_the_curve_rises_with_the_dose_by_ever_smaller_steps():
    p = [response(d, 0.4, 3.0) for d in np.arange(0.0, 30.0, 1.0)]
    steps = np.diff(p)
    assert np.all(steps > 0)
    assert np.all(np.diff(steps) < 0)


# --- the ledger: exact window arithmetic -----------------------------------------------------


def test_the_ledger_counts_only_the_part_of_an_interval_inside_the_window():
    areas = GridAreas(2.0, 2.0, 1.0)
    ledger = PresenceLedger(areas, [MIN_PER_DAY])
    ledger.add_interval(0, 3, 100.0, 400.0, weight=2.0)
    assert ledger.staff_min(0, 3, 0.0, 1000.0) == pytest.approx(600.0)
    assert ledger.staff_min(0, 3, 200.0, 300.0) == pytest.approx(200.0)
    assert ledger.staff_min(0, 3, 350.0, 1000.0) == pytest.approx(100.0)
    assert ledger.staff_min(0, 3, 400.0, 1000.0) == 0.0
    assert ledger.staff_min(0, 2, 0.0, 1000.0) == 0.0


def test_an_open_interval_counts_up_to_the_query_and_stops_counting_once_stopped():
    areas = GridAreas(1.0, 1.0, 1.0)
    ledger = PresenceLedger(areas, [MIN_PER_DAY])
    ledger.start(0, 0, 60.0)
    assert ledger.staff_min(0, 0, 0.0, 120.0) == pytest.approx(60.0)
    assert ledger.staff_min(0, 0, 0.0, 600.0) == pytest.approx(540.0)
    ledger.stop(0, 0, 180.0)
    assert ledger.staff_min(0, 0, 0.0, 600.0) == pytest.approx(120.0)


def test_a_cut_takes_out_exactly_the_part_of_an_interval_that_did_not_happen():
    areas = GridAreas(1.0, 1.0, 1.0)
    cut, walked = PresenceLedger(areas, [MIN_PER_DAY]), PresenceLedger(areas, [MIN_PER_DAY])
    cut.add_interval(0, 0, 100.0, 400.0)  # reported in advance, to 400 ...
    cut.add_interval(0, 0, 150.0, 200.0)  # (someone else meanwhile)
    cut.cut_interval(0, 0, 250.0, 400.0)  # ... but it ended at 250
    walked.add_interval(0, 0, 100.0, 250.0)
    walked.add_interval(0, 0, 150.0, 200.0)
    for a, b in [(0.0, 1000.0), (0.0, 260.0), (240.0, 300.0), (260.0, 500.0), (120.0, 180.0)]:
        assert cut.staff_min(0, 0, a, b) == pytest.approx(walked.staff_min(0, 0, a, b)), (a, b)
    with pytest.raises(ValueError, match=r"t_to_min=1\.0: must be >= t_from_min=2\.0"):
        cut.cut_interval(0, 0, 2.0, 1.0)


def test_a_footprint_counts_in_each_of_its_areas_with_its_share():
    areas = GridAreas(2.0, 1.0, 1.0)  # two cells
    ledger = PresenceLedger(areas, [MIN_PER_DAY])
    route = ledger.add_footprint({0: 0.25, 1: 0.75})
    ledger.add_interval(0, route, 0.0, 100.0)
    ledger.add_interval(0, 1, 0.0, 10.0)  # and someone in cell 1 itself
    assert ledger.staff_min(0, 0, 0.0, 100.0) == pytest.approx(25.0)
    assert ledger.staff_min(0, 1, 0.0, 100.0) == pytest.approx(85.0)
    with pytest.raises(ValueError, match=r"area=2: must be 0\.\.1"):
        ledger.add_footprint({2: 1.0})


def test_a_late_report_is_inserted_in_time_order():
    areas = GridAreas(1.0, 1.0, 1.0)
    in_order, late = PresenceLedger(areas, [MIN_PER_DAY]), PresenceLedger(areas, [MIN_PER_DAY])
    intervals = [(0.0, 50.0), (100.0, 160.0), (30.0, 120.0), (200.0, 230.0)]
    for t0, t1 in sorted(intervals):
        in_order.add_interval(0, 0, t0, t1)
    for t0, t1 in intervals:
        late.add_interval(0, 0, t0, t1)
    for a, b in [(0.0, 300.0), (40.0, 110.0), (125.0, 205.0)]:
        assert late.staff_min(0, 0, a, b) == pytest.approx(in_order.staff_min(0, 0, a, b))


def test_the_dose_is_hours_per_km2_per_day_over_the_window():
    areas = GridAreas(4.0, 4.0, 2.0)  # 4 km² cells
    ledger = PresenceLedger(areas, [7 * MIN_PER_DAY])
    for day in range(14):
        ledger.add_interval(0, 0, day * MIN_PER_DAY, day * MIN_PER_DAY + 8 * 60)  # 8 h a day
    assert ledger.dose_h_per_km2_day(0, 0, 10 * MIN_PER_DAY) == pytest.approx(8.0 / 4.0)


def test_before_a_whole_window_has_passed_the_dose_is_the_rate_so_far():
    areas = GridAreas(1.0, 1.0, 1.0)
    ledger = PresenceLedger(areas, [28 * MIN_PER_DAY])
    for day in range(3):
        ledger.add_interval(0, 0, day * MIN_PER_DAY, day * MIN_PER_DAY + 6 * 60)
    assert ledger.dose_h_per_km2_day(0, 0, 3 * MIN_PER_DAY) == pytest.approx(6.0)
    assert ledger.dose_h_per_km2_day(0, 0, 0.0) == 0.0


def test_the_ledger_rejects_an_interval_that_ends_before_it_starts():
    ledger = PresenceLedger(GridAreas(1.0, 1.0, 1.0), [MIN_PER_DAY])
    with pytest.raises(ValueError, match=r"t_end_min=5\.0: must be >= t_start_min=10\.0"):
        ledger.add_interval(0, 0, 10.0, 5.0)


def test_forgetting_keeps_later_answers_drops_old_events_and_refuses_older_windows():
    areas = GridAreas(1.0, 1.0, 1.0)
    kept, forgetful = PresenceLedger(areas, [MIN_PER_DAY]), PresenceLedger(areas, [MIN_PER_DAY])
    for ledger in (kept, forgetful):
        for day in range(30):
            ledger.add_interval(0, 0, day * MIN_PER_DAY, day * MIN_PER_DAY + 600)
        ledger.start(0, 0, 29 * MIN_PER_DAY + 700)  # still open
    forgetful.forget(29 * MIN_PER_DAY)
    assert forgetful.n_events() < 6 < kept.n_events()
    for t_min in (29 * MIN_PER_DAY, 29.5 * MIN_PER_DAY, 31 * MIN_PER_DAY):
        assert forgetful.dose_h_per_km2_day(0, 0, t_min) == kept.dose_h_per_km2_day(0, 0, t_min)
    with pytest.raises(ValueError, match="has forgotten what came before"):
        forgetful.dose_h_per_km2_day(0, 0, 28 * MIN_PER_DAY)
    with pytest.raises(ValueError, match="has forgotten what came before"):
        forgetful.add_interval(0, 0, 27 * MIN_PER_DAY, 27.5 * MIN_PER_DAY)


def test_the_ledger_rejects_an_unknown_effect_area_or_weight():
    ledger = PresenceLedger(GridAreas(2.0, 2.0, 1.0), [MIN_PER_DAY])
    with pytest.raises(ValueError, match=r"effect=1: must be 0\.\.0"):
        ledger.start(1, 0, 0.0)
    with pytest.raises(ValueError, match=r"effect=-1: must be 0\.\.0"):
        ledger.staff_min(-1, 0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"area=4: must be 0\.\.3"):
        ledger.start(0, 4, 0.0)
    with pytest.raises(ValueError, match="weight=0: must be a finite number > 0"):
        ledger.start(0, 0, 0.0, weight=0)


# --- the decision ------------------------------------------------------------------------------


def test_with_nobody_on_duty_presence_prevents_nothing():
    model = prevention()
    model.record("police", "job", 0, 0.0, 10 * MIN_PER_DAY)  # on calls: not counted
    model.record("mediator", "patrol", 0, 0.0, 10 * MIN_PER_DAY)  # not a counted role
    for type_index in range(len(TYPES)):
        for t_min in (0.0, 3 * MIN_PER_DAY, 9 * MIN_PER_DAY):
            assert model.p_prevent(type_index, 0, t_min) == 0.0
            assert not model.prevented(type_index, 0, t_min, 0.0)


def test_presence_acts_only_on_the_types_and_the_area_where_it_is_spent():
    model = prevention()
    daily_post(model, area=6, hours=4, n_days=14)
    t_min = 10 * MIN_PER_DAY
    assert model.p_prevent(TYPES.index("theft"), 6, t_min) == pytest.approx(0.5 * 4 / 6)
    assert model.p_prevent(TYPES.index("fire"), 6, t_min) == 0.0
    assert model.p_prevent(TYPES.index("dispute"), 6, t_min) == 0.0
    assert model.p_prevent(TYPES.index("theft"), 7, t_min) == 0.0


def test_two_effects_on_one_type_combine_as_independent_mechanisms():
    both = dict(GRID_VISITS, incident_types=["dispute", "theft"])
    config = parse_prevention({"effects": {"patrol": PATROL, "grid_visits": both}})
    model = Prevention(config, GridAreas(3.0, 3.0, 1.0), TYPES)
    for day in range(14):
        t0 = day * MIN_PER_DAY
        model.record("police", "patrol", 4, t0, t0 + 120)
        model.record("grid_worker", "grid_walk", 4, t0, t0 + 240)
    p_patrol, p_visits = 0.5 * 2 / 4, 0.6 * 4 / 8
    expected = 1 - (1 - p_patrol) * (1 - p_visits)
    assert model.p_prevent(0, 4, 10 * MIN_PER_DAY) == pytest.approx(expected)
    fates = [model.fate(0, 1.5, 1.5, 10 * MIN_PER_DAY, u) for u in (0.1, 0.3, 0.9)]
    assert [f.effect for f in fates] == ["patrol", "grid_visits", None]


def test_a_dose_sweep_prevents_more_calls_with_more_hours_by_ever_smaller_increments():
    """0, 1, 2, 4, 8 post-hours a day in one cell, the same candidate calls and uniforms."""
    rng = np.random.default_rng(19)
    n = 20_000
    t_min = rng.uniform(7 * MIN_PER_DAY, 35 * MIN_PER_DAY, n)
    u = draw_prevention_uniforms(rng, n)
    hours = [0, 1, 2, 4, 8]
    counts = []
    for h in hours:
        model = prevention()
        if h:
            daily_post(model, area=12, hours=h, n_days=36)
        counts.append(sum(model.fate(0, 2.5, 2.5, t, up, ud).outcome != "kept"
                          for t, (up, ud) in zip(t_min, u, strict=True)))  # fmt: skip
    assert counts[0] == 0
    per_hour = np.diff(counts) / np.diff(hours)
    assert np.all(per_hour > 0), counts
    assert np.all(np.diff(per_hour) < 0), counts


def test_more_presence_never_un_prevents_a_call():
    rng = np.random.default_rng(7)
    t_min = np.sort(rng.uniform(0, 20 * MIN_PER_DAY, 3000))
    u = rng.random(3000)
    less, more = prevention(), prevention()
    daily_post(less, 12, 2, 21)
    daily_post(more, 12, 2, 21)
    daily_post(more, 12, 1, 21, role="police")
    prevented_less = [less.prevented(0, 12, t, ui) for t, ui in zip(t_min, u, strict=True)]
    prevented_more = [more.prevented(0, 12, t, ui) for t, ui in zip(t_min, u, strict=True)]
    assert sum(prevented_more) > sum(prevented_less) > 0
    assert all(m for m, p in zip(prevented_more, prevented_less, strict=True) if p)


def test_a_prevention_for_other_incident_types_than_the_scenario_is_refused():
    config = parse_prevention({"effects": {"patrol": PATROL}})
    with pytest.raises(ValueError, match=r"incident_types = \['public_order'\]: not incident"):
        Prevention(config, GridAreas(1.0, 1.0, 1.0), ["theft", "dispute"])


# --- displacement -----------------------------------------------------------------------------


def test_a_displaced_call_moves_to_a_neighbouring_cell_at_the_same_relative_place():
    model = prevention(dict(PATROL, p_max=1.0, displacement=1.0))
    daily_post(model, area=12, hours=24, n_days=8)
    fate = model.fate(0, 2.25, 2.75, 7 * MIN_PER_DAY, 0.0, 0.0)
    assert fate.outcome == "displaced" and fate.effect == "patrol"
    assert fate.area in model.areas.neighbours(12) and fate.area == 6
    assert (fate.x_km, fate.y_km) == pytest.approx((1.25, 1.75))


def test_without_displacement_a_prevented_call_does_not_happen():
    model = prevention(dict(PATROL, p_max=1.0))
    daily_post(model, area=12, hours=24, n_days=8)
    fate = model.fate(0, 2.5, 2.5, 7 * MIN_PER_DAY, 0.0, 0.0)
    assert fate.outcome == "prevented"


def test_displacement_conserves_calls_when_every_prevented_call_is_displaced():
    model = prevention(dict(PATROL, p_max=0.9, displacement=1.0))
    daily_post(model, area=12, hours=12, n_days=15)
    rng = np.random.default_rng(3)
    fates = [model.fate(0, *rng.uniform(2, 3, 2), 14 * MIN_PER_DAY, *rng.random(2))
             for _ in range(2000)]  # fmt: skip
    outcomes = [f.outcome for f in fates]
    assert outcomes.count("prevented") == 0 and outcomes.count("displaced") > 500
    assert all(f.area in model.areas.neighbours(12) for f in fates if f.outcome == "displaced")
    assert {f.area for f in fates if f.outcome == "displaced"} == set(model.areas.neighbours(12))


# --- areas --------------------------------------------------------------------------------------


def test_grid_cells_number_rows_of_columns_and_edge_cells_are_partial():
    areas = GridAreas(2.5, 2.0, 1.0)
    assert (areas.n_cols, areas.n_rows, areas.n_areas) == (3, 2, 6)
    assert areas.area_of(0.5, 0.5) == 0 and areas.area_of(2.4, 1.5) == 5
    assert areas.area_of(2.5, 2.0) == 5  # the far corner belongs to the last cell
    assert areas.area_km2(2) == pytest.approx(0.5) and areas.area_km2(0) == pytest.approx(1.0)
    x, y = np.array([0.5, 2.4, 2.5]), np.array([0.5, 1.5, 2.0])
    assert areas.areas_of(x, y).tolist() == [0, 5, 5]


def test_a_queen_cell_has_eight_neighbours_and_a_rook_cell_four():
    assert GridAreas(3.0, 3.0, 1.0, "queen").neighbours(4) == (0, 1, 2, 3, 5, 6, 7, 8)
    assert GridAreas(3.0, 3.0, 1.0, "rook").neighbours(4) == (1, 3, 5, 7)
    assert GridAreas(3.0, 3.0, 1.0, "queen").neighbours(0) == (1, 3, 4)


def test_a_sliver_of_region_joins_the_last_cell_instead_of_being_a_cell():
    areas = GridAreas(10.000001, 1.0, 1.0)
    assert areas.n_cols == 10
    assert areas.area_km2(9) == pytest.approx(1.000001)


# --- the parser -------------------------------------------------------------------------------


def test_no_prevention_block_means_no_effects():
    assert parse_prevention(None) == PreventionConfig()
    assert parse_prevention({}).effects == {}


def test_the_parser_reads_defaults_and_units():
    config = parse_prevention({"effects": {"grid_visits": GRID_VISITS}})
    effect = config.effects["grid_visits"]
    assert effect.window_days == 7.0 and effect.displacement == 0.0
    assert effect.states == ("grid_walk",) and config.areas.cell_km == 1.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"p_max": 1.5}, "prevention.effects.patrol.p_max = 1.5: must be >= 0 and <= 1"),
        (
            {"dose_half_h_per_km2_day": 0},
            "prevention.effects.patrol.dose_half_h_per_km2_day = 0.0: must be > 0 and <= 1e+06",
        ),
        ({"window_days": -1}, "prevention.effects.patrol.window_days = -1.0: must be > 0"),
        ({"displacement": 2}, "prevention.effects.patrol.displacement = 2.0: must be >= 0"),
        ({"states": ["stroll"]}, "prevention.effects.patrol.states.0 = 'stroll': must be one of"),
        ({"roles": []}, "prevention.effects.patrol.roles = []: must list at least one name"),
        (
            {"incident_types": ["theft", "theft"]},
            "prevention.effects.patrol.incident_types = ['theft', 'theft']: must not repeat",
        ),
        ({"p_max": "high"}, "prevention.effects.patrol.p_max = 'high': must be a number"),
        ({"strength": 1}, "prevention.effects.patrol.strength = 1: unknown key; allowed: roles"),
    ],
)
def test_a_bad_value_is_rejected_in_one_line_naming_field_value_and_allowed(change, message):
    with pytest.raises(ValueError) as caught:
        parse_prevention({"effects": {"patrol": dict(PATROL, **change)}})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_the_parser_rejects_a_bad_grid():
    with pytest.raises(ValueError, match=r"^prevention.areas.cell_km = 0.0: must be >= 0.01"):
        parse_prevention({"areas": {"cell_km": 0}})
    with pytest.raises(ValueError, match="neighbourhood = 'hex': must be one of queen, rook"):
        parse_prevention({"areas": {"neighbourhood": "hex"}})


def test_names_must_be_declared_by_the_scenario():
    config = parse_prevention({"effects": {"patrol": PATROL}})
    check_prevention_names(config, ["police", "volunteer"], TYPES)
    with pytest.raises(ValueError, match=r"roles.1 = 'volunteer': is not a declared role; decl"):
        check_prevention_names(config, ["police"], TYPES)
    with pytest.raises(ValueError, match=r"is not a declared incident type; declared: theft$"):
        check_prevention_names(config, ["police", "volunteer"], ["theft"])


def test_the_documented_example_block_parses():
    text = (Path(__file__).resolve().parents[2] / "docs" / "prevention.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = parse_prevention(yaml.safe_load(block)["prevention"])
    assert list(config.effects) == ["patrol", "grid_visits"]
    assert config.effects["patrol"].dose_half_h_per_km2_day == 6.0
