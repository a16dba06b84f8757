"""Invariants of prevention from presence on random intervals and calls (Hypothesis): the
ledger's window arithmetic is exact, the curve rises by ever smaller steps, more presence never
un-prevents a call, nobody on duty prevents nothing, and displacement moves calls, never loses
them."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.prevention import parse_prevention
from sim.model.presence import MIN_PER_DAY, GridAreas, PresenceLedger, Prevention, response

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
N_AREAS = 4  # a 2 x 2 grid of 1 km cells
TYPES = ("theft", "dispute")
HORIZON_MIN = 20 * MIN_PER_DAY

# (area, t_start_min, length_min, weight, closed): whole minutes and whole staff, so that every
# sum the ledger forms is exact in floating point and can be compared for equality.
whole_intervals = st.lists(
    st.tuples(
        st.integers(0, N_AREAS - 1),
        st.integers(0, int(HORIZON_MIN)),
        st.integers(0, 3 * 1440),
        st.integers(1, 3),
        st.booleans(),
    ),
    max_size=40,
)
windows = st.lists(
    st.tuples(st.integers(0, N_AREAS - 1), st.integers(0, int(HORIZON_MIN)), st.integers(1, 8000)),
    min_size=1,
    max_size=20,
)


def brute_staff_min(intervals, area: int, a: float, b: float) -> float:
    """Σ w · |[s, e] ∩ [a, b]| by direct overlap; an open interval runs on past b."""
    total = 0.0
    for i_area, start, length, weight, closed in intervals:
        end = start + length if closed else np.inf
        if i_area == area:
            total += weight * max(0.0, min(end, b) - max(start, a))
    return total


def ledger_of(intervals, order: list[int]) -> PresenceLedger:
    ledger = PresenceLedger(GridAreas(2.0, 2.0, 1.0), [7 * MIN_PER_DAY])
    for index in order:
        area, start, length, weight, closed = intervals[index]
        ledger.start(0, area, float(start), weight)
        if closed:
            ledger.stop(0, area, float(start + length), weight)
    return ledger


@SETTINGS
@given(intervals=whole_intervals, queries=windows, data=st.data())
def test_the_presence_in_any_window_equals_the_brute_force_overlap(intervals, queries, data):
    order = data.draw(st.permutations(range(len(intervals))))  # reports in any order
    ledger = ledger_of(intervals, list(order))
    for area, a, length in queries:
        b = a + length
        assert ledger.staff_min(0, area, a, b) == brute_staff_min(intervals, area, a, b)


@SETTINGS
@given(intervals=whole_intervals, queries=windows, t_forget=st.integers(0, int(HORIZON_MIN)))
def test_forgetting_the_past_changes_no_answer_about_later_windows(intervals, queries, t_forget):
    order = sorted(range(len(intervals)), key=lambda i: intervals[i][1])
    kept, forgetful = ledger_of(intervals, order), ledger_of(intervals, order)
    forgetful.forget(float(t_forget))
    horizon = t_forget - 7 * MIN_PER_DAY
    for area, a, length in queries:
        a = max(a, horizon)
        assert forgetful.staff_min(0, area, a, a + length) == kept.staff_min(0, area, a, a + length)


@SETTINGS
@given(
    intervals=st.lists(
        st.tuples(
            st.floats(0, HORIZON_MIN),
            st.floats(0, 5000),
            st.floats(0.1, 5),
        ),
        max_size=30,
    ),
    a=st.floats(0, HORIZON_MIN),
    length=st.floats(0.01, 20_000),
)
def test_the_presence_matches_brute_force_on_fractional_times_and_weights(intervals, a, length):
    ledger = PresenceLedger(GridAreas(1.0, 1.0, 1.0), [7 * MIN_PER_DAY])
    for start, duration, weight in intervals:
        ledger.add_interval(0, 0, start, start + duration, weight)
    b = a + length
    expected = sum(w * max(0.0, min(s + d, b) - max(s, a)) for s, d, w in intervals)
    scale = 1.0 + sum(w for _s, _d, w in intervals) * (b + 1.0)
    assert abs(ledger.staff_min(0, 0, a, b) - expected) <= 1e-9 * scale
    if all(s >= b or s + d <= a for s, d, _w in intervals):
        assert ledger.staff_min(0, 0, a, b) == 0.0  # exactly: no window, no presence


@SETTINGS
@given(
    p_max=st.floats(0.01, 1.0),
    dose_half=st.floats(0.01, 100.0),
    dose=st.floats(0.0, 1000.0),
    step=st.floats(0.01, 100.0),
)
def test_the_curve_is_zero_at_zero_rises_and_flattens(p_max, dose_half, dose, step):
    assert response(0.0, p_max, dose_half) == 0.0
    p0, p1, p2 = (response(dose + k * step, p_max, dose_half) for k in range(3))
    assert 0.0 <= p0 <= p1 <= p2 <= p_max
    assert p2 - p1 <= p1 - p0 + 1e-12


def model(displacement: float = 0.0) -> Prevention:
    effect = {
        "roles": ["police", "volunteer"],
        "states": ["patrol", "post"],
        "incident_types": ["theft"],
        "p_max": 0.7,
        "dose_half_h_per_km2_day": 3.0,
        "window_days": 3,
        "displacement": displacement,
    }
    config = parse_prevention({"effects": {"patrol": effect}})
    return Prevention(config, GridAreas(2.0, 2.0, 1.0), TYPES)


def record(prevention: Prevention, intervals, role: str = "police", state: str = "patrol"):
    for area, start, length, weight, _closed in intervals:
        prevention.record(role, state, area, float(start), float(start + length), weight)


def calls(seed: int, n: int = 200) -> list[tuple[float, float, float, float, float]]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 2.0, (n, 2))
    t = rng.uniform(0.0, HORIZON_MIN, n)
    u = rng.random((n, 2))
    return [(x, y, ti, up, ud) for (x, y), ti, (up, ud) in zip(xy, t, u, strict=True)]


@SETTINGS
@given(base=whole_intervals, extra=whole_intervals, seed=st.integers(0, 2**32 - 1))
def test_more_presence_never_un_prevents_a_call_with_the_same_uniforms(base, extra, seed):
    less, more = model(), model()
    record(less, base)
    record(more, base + extra)
    for x, y, t, u_prevent, u_displace in calls(seed):
        fate_less = less.fate(0, x, y, t, u_prevent, u_displace)
        fate_more = more.fate(0, x, y, t, u_prevent, u_displace)
        if fate_less.outcome != "kept":
            assert fate_more.outcome != "kept"


@SETTINGS
@given(intervals=whole_intervals, seed=st.integers(0, 2**32 - 1))
def test_nobody_counted_on_duty_prevents_nothing(intervals, seed):
    prevention = model()
    record(prevention, intervals, role="mediator")  # a role no effect counts
    record(prevention, intervals, state="desk")  # a state the effect does not count
    for x, y, t, _u_prevent, u_displace in calls(seed):
        assert prevention.fate(0, x, y, t, 0.0, u_displace).outcome == "kept"


@SETTINGS
@given(intervals=whole_intervals, share=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_displacement_moves_prevented_calls_to_neighbours_and_loses_none_at_share_one(
    intervals, share, seed
):
    none, some, all_ = model(0.0), model(share), model(1.0)
    for prevention in (none, some, all_):
        record(prevention, intervals)
    areas = none.areas
    for x, y, t, u_prevent, u_displace in calls(seed):
        fates = [p.fate(0, x, y, t, u_prevent, u_displace) for p in (none, some, all_)]
        origin = areas.area_of(x, y)
        assert len({f.outcome == "kept" for f in fates}) == 1  # the same calls are thinned
        assert fates[0].outcome in ("kept", "prevented")
        assert fates[2].outcome in ("kept", "displaced")  # every cell has neighbours
        for fate in fates:
            if fate.outcome == "displaced":
                assert fate.area in areas.neighbours(origin)
                assert areas.area_of(fate.x_km, fate.y_km) == fate.area
            else:
                assert (fate.area, fate.x_km, fate.y_km) == (origin, x, y)
        assert fates[1].outcome == ("displaced" if u_displace < share else "prevented") or (
            fates[1].outcome == "kept"
        )
