"""Exact queueing results in `sim.validation.theory`, checked against textbook values.

Every expected value here is computed a different way from the module: hand-derived closed
forms, published Erlang tables, exact rational arithmetic, numerical quadrature, dense linear
algebra, or a Markov chain built independently with an explicit queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, linalg, sparse, special, stats
from scipy.sparse.linalg import spsolve

from sim.analysis import erlang
from sim.validation import theory

# --------------------------------------------------------------------------------------------
# Independent reference computations
# --------------------------------------------------------------------------------------------


def erlang_c_exact(n_servers: int, offered_load: Fraction) -> Fraction:
    """Erlang C from its defining sums, in exact rational arithmetic."""
    terms = [offered_load**k / math.factorial(k) for k in range(n_servers)]
    top = offered_load**n_servers / math.factorial(n_servers) * n_servers
    top /= n_servers - offered_load
    return top / (sum(terms) + top)


def erlang_c_log_space(n_servers: int, offered_load: float) -> float:
    """Erlang C from its defining sums, in log space (no overflow for large c)."""
    k = np.arange(n_servers)
    log_terms = k * math.log(offered_load) - special.gammaln(k + 1)
    log_top = (
        n_servers * math.log(offered_load)
        - special.gammaln(n_servers + 1)
        + math.log(n_servers / (n_servers - offered_load))
    )
    log_total = special.logsumexp(np.append(log_terms, log_top))
    return math.exp(log_top - log_total)


def dense_stationary(generator: np.ndarray) -> np.ndarray:
    """Stationary law as the normalised null vector of Q^T (dense SVD)."""
    null = linalg.null_space(generator.T)
    assert null.shape[1] == 1
    vector = null[:, 0]
    return vector / vector.sum()


def normalised_row_stationary(generator: sparse.spmatrix) -> np.ndarray:
    """Stationary law by replacing the last balance equation with sum(pi) = 1."""
    matrix = sparse.lil_matrix(generator.T)
    size = matrix.shape[0]
    matrix[size - 1, :] = np.ones(size)
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return spsolve(matrix.tocsc(), rhs)


def hourly_rate(rates: list[float], v_min: float) -> float:
    return rates[math.floor(v_min / 60.0) % 24]


def convolve_past(
    rate_at: Callable[[float], float], service_mean_min: float, t_min: float, horizon_min: float
) -> float:
    """integral_0^horizon rate(t - u) exp(-u / s) du by adaptive quadrature.

    rate(t - u) jumps where t - u is a whole hour, i.e. at u = (t mod 60) + 60 k.
    """
    jumps = np.arange(t_min % 60.0, horizon_min, 60.0)
    value, _ = integrate.quad(
        lambda u: rate_at(t_min - u) * math.exp(-u / service_mean_min),
        0.0,
        horizon_min,
        points=jumps[jumps > 0.0],
        limit=2000,
        epsabs=1e-12,
        epsrel=1e-12,
    )
    return value


DAY_RATES = [
    0.02 + 0.015 * math.sin(2 * math.pi * (h - 9) / 24) + 0.01 * (h == 20) for h in range(24)
]


# --------------------------------------------------------------------------------------------
# 1. M/M/c
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arrival", "mean"), [(0.5, 1.0), (0.1, 6.0), (0.09, 10.0)])
def test_mm1_mean_wait_equals_rho_over_mu_minus_lambda(arrival: float, mean: float) -> None:
    rho = arrival * mean
    assert erlang.mmc_mean_wait_min(arrival, mean, 1) == pytest.approx(
        rho / (1 / mean - arrival), rel=1e-12
    )


def test_mm1_wait_probability_equals_utilisation() -> None:
    assert erlang.erlang_c_wait_probability(0.3, 2.0, 1) == pytest.approx(0.6, rel=1e-12)
    assert erlang.mmc_utilisation(0.3, 2.0, 1) == pytest.approx(0.6, rel=1e-12)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_mm2_wait_probability_and_mean_wait_match_closed_forms(rho: float) -> None:
    mean = 4.0
    arrival = 2 * rho / mean
    assert erlang.erlang_c_wait_probability(arrival, mean, 2) == pytest.approx(
        2 * rho**2 / (1 + rho), rel=1e-12
    )
    assert erlang.mmc_mean_wait_min(arrival, mean, 2) == pytest.approx(
        rho**2 * mean / (1 - rho**2), rel=1e-12
    )


@pytest.mark.parametrize(("load", "blocking"), [(4.461, 0.01), (5.084, 0.02), (6.216, 0.05)])
def test_erlang_b_matches_published_table_for_ten_servers(load: float, blocking: float) -> None:
    # Erlang B tables list, for 10 trunks, 4.461 / 5.084 / 6.216 Erlangs at 1% / 2% / 5%.
    assert erlang.erlang_b_blocking_probability(load, 10) == pytest.approx(blocking, abs=5e-5)


@pytest.mark.parametrize("load", [Fraction(1), Fraction(5), Fraction(8), Fraction(19, 2)])
def test_erlang_c_with_ten_servers_matches_exact_rational_formula(load: Fraction) -> None:
    expected = float(erlang_c_exact(10, load))
    assert erlang.erlang_c_wait_probability(float(load), 1.0, 10) == pytest.approx(
        expected, rel=1e-12
    )


def test_erlang_c_table_value_for_ten_servers_at_eight_erlangs() -> None:
    assert erlang.erlang_c_wait_probability(8.0 / 3.0, 3.0, 10) == pytest.approx(0.4092, abs=1e-4)


@pytest.mark.parametrize(("servers", "load"), [(200, 190.0), (200, 120.0), (150, 149.5)])
def test_erlang_c_is_accurate_for_hundreds_of_servers(servers: int, load: float) -> None:
    value = erlang.erlang_c_wait_probability(load, 1.0, servers)
    assert 0.0 < value < 1.0
    assert value == pytest.approx(erlang_c_log_space(servers, load), rel=1e-10)


def test_wait_tail_integrates_to_the_mean_wait() -> None:
    arrival, mean, servers = 0.7, 10.0, 9
    area, _ = integrate.quad(
        lambda t: erlang.mmc_wait_exceeds_probability(arrival, mean, servers, t), 0.0, np.inf
    )
    assert area == pytest.approx(erlang.mmc_mean_wait_min(arrival, mean, servers), rel=1e-9)


def test_wait_tail_starts_at_erlang_c_and_decays_at_c_mu_minus_lambda() -> None:
    arrival, mean = 0.5, 1.5
    assert erlang.mmc_wait_exceeds_probability(arrival, mean, 1, 0.0) == pytest.approx(0.75)
    expected = 0.75 * math.exp(-(1 / 1.5 - 0.5) * 7.0)
    assert erlang.mmc_wait_exceeds_probability(arrival, mean, 1, 7.0) == pytest.approx(
        expected, rel=1e-12
    )


def test_mm1_mean_numbers_follow_from_littles_law() -> None:
    rho = 0.75
    assert erlang.mmc_mean_number_in_system(0.25, 3.0, 1) == pytest.approx(rho / (1 - rho))
    assert erlang.mmc_mean_number_waiting(0.25, 3.0, 1) == pytest.approx(rho**2 / (1 - rho))


def test_utilisation_is_offered_load_per_server() -> None:
    assert erlang.mmc_utilisation(1.2, 5.0, 8) == pytest.approx(0.75, rel=1e-12)


def test_an_idle_system_never_waits() -> None:
    assert erlang.erlang_c_wait_probability(0.0, 5.0, 3) == 0.0
    assert erlang.mmc_mean_wait_min(0.0, 5.0, 3) == 0.0


@pytest.mark.parametrize(("arrival", "servers"), [(0.5, 1), (0.9, 1), (2.0, 2), (30.0, 10)])
def test_unstable_mmc_raises_a_clear_value_error(arrival: float, servers: int) -> None:
    with pytest.raises(ValueError, match=r"unstable.*rho"):
        erlang.mmc_mean_wait_min(arrival, 2.0, servers)


def test_invalid_mmc_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="arrival_per_min"):
        erlang.erlang_c_wait_probability(-0.1, 1.0, 2)
    with pytest.raises(ValueError, match="service_mean_min"):
        erlang.erlang_c_wait_probability(0.1, 0.0, 2)
    with pytest.raises(ValueError, match="n_servers"):
        erlang.erlang_c_wait_probability(0.1, 1.0, 0)
    with pytest.raises(TypeError, match="n_servers"):
        erlang.erlang_c_wait_probability(0.1, 1.0, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="t_min"):
        erlang.mmc_wait_exceeds_probability(0.1, 1.0, 2, -1.0)


# --------------------------------------------------------------------------------------------
# 2. Non-preemptive priority M/M/c (Cobham)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arrival", "servers"), [(0.05, 1), (0.25, 3), (0.9, 10)])
def test_cobham_with_one_class_equals_erlang_c_mean_wait(arrival: float, servers: int) -> None:
    (wait,) = erlang.mmc_priority_mean_waits_min([arrival], 10.0, servers)
    assert wait == pytest.approx(erlang.mmc_mean_wait_min(arrival, 10.0, servers), rel=1e-12)


def test_cobham_two_class_mm1_matches_hand_computed_waits() -> None:
    # rho = 0.5, W0 = rho / mu = 0.5; W1 = 0.5 / 0.8; W2 = 0.5 / (0.8 * 0.5).
    assert erlang.mmc_priority_mean_waits_min([0.2, 0.3], 1.0, 1) == pytest.approx(
        [0.625, 1.25], rel=1e-12
    )


def test_conservation_law_holds_for_several_classes_and_servers() -> None:
    arrivals, mean, servers = [0.05, 0.2, 0.0, 0.15], 12.0, 6
    residual = erlang.mmc_priority_conservation_residual_min(arrivals, mean, servers)
    fifo = erlang.mmc_mean_wait_min(sum(arrivals), mean, servers)
    weighted = erlang.mmc_priority_weighted_mean_wait_min(arrivals, mean, servers)
    assert abs(residual) < 1e-12 * fifo
    assert weighted == pytest.approx(fifo, rel=1e-12)
    waits = erlang.mmc_priority_mean_waits_min(arrivals, mean, servers)
    assert math.fsum(a * w for a, w in zip(arrivals, waits, strict=True)) / sum(
        arrivals
    ) == pytest.approx(fifo, rel=1e-12)


def test_higher_priority_classes_wait_less_and_order_matters() -> None:
    waits = erlang.mmc_priority_mean_waits_min([0.1, 0.1, 0.1], 5.0, 2)
    assert waits[0] < waits[1] < waits[2]
    swapped = erlang.mmc_priority_mean_waits_min([0.25, 0.05], 5.0, 2)
    original = erlang.mmc_priority_mean_waits_min([0.05, 0.25], 5.0, 2)
    assert swapped[0] != pytest.approx(original[0])


def priority_ctmc_mean_waits(
    arrivals: list[float], mean: float, servers: int, cap: int
) -> list[float]:
    """Brute-force two-class non-preemptive priority M/M/c chain on (busy, q0, q1)."""
    states = [(b, 0, 0) for b in range(servers)]
    states += [(servers, q0, q1) for q0 in range(cap + 1) for q1 in range(cap + 1)]
    index = {state: i for i, state in enumerate(states)}
    rows, cols, vals = [], [], []
    for (busy, q0, q1), i in index.items():
        moves: list[tuple[tuple[int, int, int], float]] = []
        if busy < servers:
            moves.append(((busy + 1, 0, 0), sum(arrivals)))
        else:
            if q0 < cap:
                moves.append(((busy, q0 + 1, q1), arrivals[0]))
            if q1 < cap:
                moves.append(((busy, q0, q1 + 1), arrivals[1]))
        if busy > 0:
            if q0 > 0:
                target = (busy, q0 - 1, q1)
            elif q1 > 0:
                target = (busy, q0, q1 - 1)
            else:
                target = (busy - 1, 0, 0)
            moves.append((target, busy / mean))
        for target, rate in moves:
            rows.append(i)
            cols.append(index[target])
            vals.append(rate)
    off = sparse.coo_matrix((vals, (rows, cols)), shape=(len(states), len(states))).tocsr()
    generator = off - sparse.diags(np.asarray(off.sum(axis=1)).ravel())
    pi = normalised_row_stationary(generator)
    mean_q0 = sum(pi[i] * s[1] for s, i in index.items())
    mean_q1 = sum(pi[i] * s[2] for s, i in index.items())
    return [mean_q0 / arrivals[0], mean_q1 / arrivals[1]]


def test_cobham_matches_a_brute_force_priority_markov_chain() -> None:
    arrivals, mean, servers = [0.1, 0.14], 10.0, 4  # rho = 0.6
    expected = priority_ctmc_mean_waits(arrivals, mean, servers, cap=70)
    assert erlang.mmc_priority_mean_waits_min(arrivals, mean, servers) == pytest.approx(
        expected, rel=1e-8
    )


def test_unstable_priority_queue_raises() -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang.mmc_priority_mean_waits_min([0.3, 0.3], 2.0, 1)


# --------------------------------------------------------------------------------------------
# 3. M_t/M/infinity offered load
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t_min", [0.0, 59.999, 60.0, 725.3, 1439.9, -30.0, 10_000.0])
def test_constant_hourly_rate_gives_rate_times_mean_service(t_min: float) -> None:
    assert theory.mt_infinite_mean_busy([0.3] * 24, 45.0, t_min) == pytest.approx(
        0.3 * 45.0, rel=1e-12
    )


@pytest.mark.parametrize(
    ("mean", "t_min"), [(20.0, 0.0), (20.0, 615.5), (90.0, 1201.0), (300.0, 30.0), (45.0, 1439.0)]
)
def test_piecewise_offered_load_matches_numerical_convolution(mean: float, t_min: float) -> None:
    horizon = 40.0 * mean
    expected = convolve_past(lambda v: hourly_rate(DAY_RATES, v), mean, t_min, horizon)
    assert theory.mt_infinite_mean_busy(DAY_RATES, mean, t_min) == pytest.approx(expected, rel=1e-9)


def test_offered_load_is_periodic_with_a_one_day_cycle() -> None:
    for t_min in [13.0, 600.0, 1300.0]:
        value = theory.mt_infinite_mean_busy(DAY_RATES, 75.0, t_min)
        for shift in [-1440.0, 1440.0, 3 * 1440.0]:
            shifted = theory.mt_infinite_mean_busy(DAY_RATES, 75.0, t_min + shift)
            assert shifted == pytest.approx(value, rel=1e-11)


def test_offered_load_solves_the_infinite_server_differential_equation() -> None:
    # m'(t) = lambda(t) - m(t) / s away from the hour boundaries.
    mean, step = 50.0, 1e-3
    for t_min in [30.0, 570.0, 1230.0]:
        slope = (
            theory.mt_infinite_mean_busy(DAY_RATES, mean, t_min + step)
            - theory.mt_infinite_mean_busy(DAY_RATES, mean, t_min - step)
        ) / (2 * step)
        m = theory.mt_infinite_mean_busy(DAY_RATES, mean, t_min)
        assert slope == pytest.approx(hourly_rate(DAY_RATES, t_min) - m / mean, abs=1e-8)


def test_offered_load_is_continuous_across_hour_boundaries() -> None:
    for hour in range(24):
        t_min = 60.0 * hour
        before = theory.mt_infinite_mean_busy(DAY_RATES, 40.0, t_min - 1e-9)
        after = theory.mt_infinite_mean_busy(DAY_RATES, 40.0, t_min + 1e-9)
        assert after == pytest.approx(before, abs=1e-9)


def test_daily_mean_offered_load_equals_daily_mean_rate_times_mean_service() -> None:
    mean = 120.0
    area, _ = integrate.quad(
        lambda t: theory.mt_infinite_mean_busy(DAY_RATES, mean, t),
        0.0,
        1440.0,
        points=[60.0 * h for h in range(1, 24)],
        limit=500,
    )
    assert area / 1440.0 == pytest.approx(mean * sum(DAY_RATES) / 24, rel=1e-9)


def test_offered_load_lags_a_rate_step() -> None:
    rates = [0.0] * 12 + [1.0] * 12  # off for 12 h, then on
    mean = 30.0
    expected = mean * (1 - math.exp(-60.0 / mean))  # one hour after switching on
    assert theory.mt_infinite_mean_busy(rates, mean, 13 * 60.0) == pytest.approx(expected, rel=1e-9)


def test_sinusoid_with_zero_amplitude_is_a_constant_load() -> None:
    assert theory.mt_infinite_mean_busy_sinusoid(0.2, 0.0, 1440.0, 60.0, 333.0) == pytest.approx(
        12.0, rel=1e-12
    )


@pytest.mark.parametrize(("mean", "t_min"), [(30.0, 0.0), (30.0, 400.0), (240.0, 1000.0)])
def test_sinusoid_offered_load_matches_numerical_convolution(mean: float, t_min: float) -> None:
    a, b, period = 0.1, 0.06, 1440.0

    def rate(v: float) -> float:
        return a + b * math.sin(2 * math.pi * v / period)

    expected, _ = integrate.quad(
        lambda u: rate(t_min - u) * math.exp(-u / mean),
        0.0,
        60 * mean,
        limit=1000,
        epsabs=1e-13,
        epsrel=1e-12,
    )
    assert theory.mt_infinite_mean_busy_sinusoid(a, b, period, mean, t_min) == pytest.approx(
        expected, rel=1e-9
    )


def test_sinusoid_swing_is_damped_by_one_over_root_one_plus_omega_s_squared() -> None:
    a, b, period, mean = 0.1, 0.05, 1440.0, 200.0
    grid = np.linspace(0.0, period, 20_001)
    load = [theory.mt_infinite_mean_busy_sinusoid(a, b, period, mean, t) for t in grid]
    omega_s = 2 * math.pi / period * mean
    assert max(load) - a * mean == pytest.approx(b * mean / math.sqrt(1 + omega_s**2), rel=1e-6)


def test_offered_load_inputs_are_validated() -> None:
    with pytest.raises(ValueError, match="24"):
        theory.mt_infinite_mean_busy([0.1] * 23, 30.0, 0.0)
    with pytest.raises(ValueError, match="rates_per_min_by_hour"):
        theory.mt_infinite_mean_busy([0.1] * 23 + [-0.1], 30.0, 0.0)
    with pytest.raises(ValueError, match="amplitude"):
        theory.mt_infinite_mean_busy_sinusoid(0.1, 0.2, 1440.0, 30.0, 0.0)


# --------------------------------------------------------------------------------------------
# 4. Team pairs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("units", [2, 3])
def test_team_pairs_with_two_or_three_units_is_an_mm1_with_the_pair_as_server(
    units: int,
) -> None:
    arrival, mean = 0.03, 20.0  # one pair server, rho = 0.6
    rho = arrival * mean
    result = theory.team_pairs_metrics(arrival, mean, units)
    assert result.mean_number_waiting == pytest.approx(rho**2 / (1 - rho), rel=1e-9)
    assert result.mean_wait_min == pytest.approx(rho / (1 / mean - arrival), rel=1e-9)
    assert result.wait_probability == pytest.approx(rho, rel=1e-9)
    assert result.mean_pairs_busy == pytest.approx(rho, rel=1e-9)
    assert result.unit_utilisation == pytest.approx(2 * rho / units, rel=1e-9)


def test_team_pairs_with_three_units_leaves_one_unit_always_idle() -> None:
    result = theory.team_pairs_metrics(0.049, 20.0, 3)  # rho of the pair = 0.98
    assert result.unit_utilisation == pytest.approx(2 * 0.98 / 3, rel=1e-9)
    assert result.unit_utilisation < 2 / 3


@pytest.mark.parametrize(("units", "arrival"), [(10, 0.2), (11, 0.2), (40, 0.9), (401, 9.5)])
def test_team_pairs_match_erlang_c_with_floor_half_the_units_as_servers(
    units: int, arrival: float
) -> None:
    mean, servers = 20.0, units // 2
    result = theory.team_pairs_metrics(arrival, mean, units)
    assert result.wait_probability == pytest.approx(
        erlang.erlang_c_wait_probability(arrival, mean, servers), rel=1e-9
    )
    assert result.mean_wait_min == pytest.approx(
        erlang.mmc_mean_wait_min(arrival, mean, servers), rel=1e-9
    )
    assert result.mean_number_waiting == pytest.approx(
        erlang.mmc_mean_number_waiting(arrival, mean, servers), rel=1e-9
    )


def test_team_pairs_unit_utilisation_is_twice_the_offered_load_per_unit() -> None:
    result = theory.team_pairs_metrics(0.25, 30.0, 17)
    assert result.unit_utilisation == pytest.approx(2 * 0.25 * 30.0 / 17, rel=1e-10)


def test_team_pairs_stationary_probabilities_sum_to_one() -> None:
    states, probabilities = theory.team_pairs_stationary(0.15, 20.0, 9)
    assert len(states) == probabilities.size
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-14)
    assert np.all(probabilities >= 0.0)
    assert all(q == 0 or k == 4 for k, q in states)


def test_team_pairs_generator_rows_sum_to_zero_and_queue_only_behind_all_pairs() -> None:
    generator = theory.team_pairs_generator(0.2, 20.0, 7, queue_cap=25)
    assert np.allclose(np.asarray(generator.sum(axis=1)).ravel(), 0.0, atol=1e-15)
    states = theory.team_pairs_states(7, 25)
    assert states[:4] == [(0, 0), (1, 0), (2, 0), (3, 0)]
    assert states[-1] == (3, 25)


def test_team_pairs_queue_cap_neglects_less_than_the_tolerance() -> None:
    arrival, mean, units = 0.22, 20.0, 10  # 5 pair servers, r = 0.88
    cap = theory.team_pairs_queue_cap(arrival, mean, units)
    ratio = arrival * mean / (units // 2)
    p_all_busy = erlang_c_log_space(units // 2, arrival * mean)  # sum over q of pi(K, q)
    neglected = p_all_busy * ratio ** (cap + 1)
    assert neglected < 1e-12
    assert ratio ** (cap + 1) / (1 - ratio) < 1e-12 <= ratio**cap / (1 - ratio)


def test_team_pairs_sparse_solution_matches_a_dense_null_space() -> None:
    generator = theory.team_pairs_generator(0.2, 20.0, 9, queue_cap=60)
    dense = dense_stationary(generator.toarray())
    sparse_solution = theory.stationary_distribution(generator)
    assert sparse_solution == pytest.approx(dense, abs=1e-13)


def test_team_pairs_reject_unstable_loads_and_single_units() -> None:
    with pytest.raises(ValueError, match="unstable"):
        theory.team_pairs_metrics(0.05, 20.0, 3)  # one pair, rho = 1
    with pytest.raises(ValueError, match="n_units"):
        theory.team_pairs_metrics(0.01, 20.0, 1)


# --------------------------------------------------------------------------------------------
# 5. Hypercube
# --------------------------------------------------------------------------------------------


def test_hypercube_with_one_unit_equals_mm1() -> None:
    arrivals, mean = [0.01, 0.02, 0.005], 20.0  # rho = 0.7
    result = theory.hypercube_infinite_queue(arrivals, [[0], [0], [0]], mean)
    assert result.workload == pytest.approx([0.7], rel=1e-12)
    assert result.queue_probability == pytest.approx(0.7, rel=1e-12)
    assert result.mean_queue_length == pytest.approx(0.49 / 0.3, rel=1e-12)
    assert result.mean_wait_min == pytest.approx(0.7 / (1 / mean - 0.035), rel=1e-12)
    assert result.atom_unit_probability == pytest.approx(np.ones((3, 1)))


def test_hypercube_two_units_one_atom_matches_hand_solved_chain() -> None:
    # One atom, prefers unit 0. With mu = 1 and r = a / 2, from the balance equations:
    # p0 = 1 / (1 + a + a^2 / (2 (1 - r))), p(only unit 1) = (a^2 / 2) p0 / (a + 1),
    # p(only unit 0) = a p0 - p(only unit 1), P(all busy) = (a^2 / 2) p0 / (1 - r).
    a = 1.2
    r = a / 2
    p0 = 1 / (1 + a + a**2 / (2 * (1 - r)))
    only_1 = (a**2 / 2) * p0 / (a + 1)
    only_0 = a * p0 - only_1
    full = (a**2 / 2) * p0 / (1 - r)
    result = theory.hypercube_infinite_queue([a], [[0, 1]], 1.0)
    assert result.state_probabilities == pytest.approx([p0, only_0, only_1, full], rel=1e-12)
    assert result.workload == pytest.approx([only_0 + full, only_1 + full], rel=1e-12)
    assert result.atom_unit_probability[0] == pytest.approx(
        [p0 + only_1 + full / 2, only_0 + full / 2], rel=1e-12
    )


def test_hypercube_two_symmetric_atoms_give_equal_workloads() -> None:
    result = theory.hypercube_infinite_queue([0.04, 0.04], [[0, 1], [1, 0]], 15.0)
    assert result.workload[0] == pytest.approx(result.workload[1], rel=1e-12)
    assert result.workload.sum() == pytest.approx(0.08 * 15.0, rel=1e-12)
    assert result.atom_unit_probability[0, 0] == pytest.approx(
        result.atom_unit_probability[1, 1], rel=1e-12
    )


def random_hypercube(
    seed: int, n_units: int, n_atoms: int, rho: float
) -> tuple[list[float], list[list[int]], float]:
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 1.0, n_atoms)
    mean = 25.0
    arrivals = (weights / weights.sum() * rho * n_units / mean).tolist()
    preferences = [rng.permutation(n_units).tolist() for _ in range(n_atoms)]
    return arrivals, preferences, mean


@pytest.mark.parametrize(
    ("seed", "units", "atoms", "rho"), [(1, 3, 5, 0.5), (2, 6, 12, 0.8), (3, 10, 30, 0.6)]
)
def test_hypercube_workloads_sum_to_offered_load_and_queueing_is_erlang_c(
    seed: int, units: int, atoms: int, rho: float
) -> None:
    arrivals, preferences, mean = random_hypercube(seed, units, atoms, rho)
    result = theory.hypercube_infinite_queue(arrivals, preferences, mean)
    total = sum(arrivals)
    assert result.state_probabilities.sum() == pytest.approx(1.0, abs=1e-13)
    assert result.workload.sum() == pytest.approx(total * mean, rel=1e-10)
    assert result.queue_probability == pytest.approx(
        erlang.erlang_c_wait_probability(total, mean, units), rel=1e-9
    )
    assert result.mean_wait_min == pytest.approx(
        erlang.mmc_mean_wait_min(total, mean, units), rel=1e-9
    )


def test_hypercube_number_busy_follows_the_mmn_birth_death_law() -> None:
    arrivals, preferences, mean = random_hypercube(4, 5, 8, 0.7)
    result = theory.hypercube_infinite_queue(arrivals, preferences, mean)
    a = sum(arrivals) * mean
    busy_count = np.array([bin(b).count("1") for b in range(32)])
    by_count = [result.state_probabilities[busy_count == n].sum() for n in range(5)]
    p0 = by_count[0]
    for n in range(1, 5):
        assert by_count[n] == pytest.approx(p0 * a**n / math.factorial(n), rel=1e-9)


def test_hypercube_dispatch_fractions_are_distributions_that_balance_workload() -> None:
    arrivals, preferences, mean = random_hypercube(5, 4, 7, 0.75)
    result = theory.hypercube_infinite_queue(arrivals, preferences, mean)
    total = sum(arrivals)
    assert result.atom_unit_probability.sum(axis=1) == pytest.approx(np.ones(7), abs=1e-13)
    assert result.dispatch_fraction.sum() == pytest.approx(1.0, abs=1e-13)
    assert result.dispatch_fraction.sum(axis=1) == pytest.approx(
        np.array(arrivals) / total, rel=1e-12
    )
    # Each unit's busy fraction = (its call rate) x (mean service time).
    calls_per_unit = total * result.dispatch_fraction.sum(axis=0)
    assert calls_per_unit * mean == pytest.approx(result.workload, rel=1e-10)


def explicit_tail_hypercube(
    arrivals: list[float], preferences: list[list[int]], mean: float, cap: int
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """The hypercube chain with explicit queue states (full, q), q <= cap, solved densely.

    Returns (probabilities over bitmasks with the tail summed, workloads, mean queue length,
    atom x unit dispatch probabilities computed from dispatch *flow rates*).
    """
    n = len(preferences[0])
    full = 2**n - 1
    states: list[int | tuple[int, int]] = [*range(full), *((full, q) for q in range(cap + 1))]
    index = {s: i for i, s in enumerate(states)}
    generator = np.zeros((len(states), len(states)))

    def first_free(mask: int, preference: list[int]) -> int:
        return next(u for u in preference if not mask >> u & 1)

    def add(source: int | tuple[int, int], target: int | tuple[int, int], rate: float) -> None:
        generator[index[source], index[target]] += rate
        generator[index[source], index[source]] -= rate

    for mask in range(full):
        for rate, preference in zip(arrivals, preferences, strict=True):
            unit = first_free(mask, preference)
            add(mask, (full, 0) if mask | 1 << unit == full else mask | 1 << unit, rate)
        for unit in range(n):
            if mask >> unit & 1:
                add(mask, mask & ~(1 << unit), 1 / mean)
    for q in range(cap + 1):
        if q < cap:
            add((full, q), (full, q + 1), sum(arrivals))
        if q > 0:
            add((full, q), (full, q - 1), n / mean)
        else:
            for unit in range(n):
                add((full, 0), full & ~(1 << unit), 1 / mean)
    pi = dense_stationary(generator)
    by_mask = np.append(pi[:full], pi[full:].sum())
    workload = np.array([sum(by_mask[m] for m in range(full + 1) if m >> u & 1) for u in range(n)])
    mean_queue = float(sum(q * pi[index[(full, q)]] for q in range(cap + 1)))
    # Flow of dispatches: immediate ones, plus queued calls taken by unit u at rate mu.
    total = sum(arrivals)
    from_queue = pi[full + 1 :].sum() / mean  # rate at which each unit takes a queued call
    atom_unit = np.zeros((len(arrivals), n))
    for j, (rate, preference) in enumerate(zip(arrivals, preferences, strict=True)):
        for mask in range(full):
            atom_unit[j, first_free(mask, preference)] += rate * pi[mask]
        atom_unit[j] += rate / total * from_queue
        atom_unit[j] /= rate
    return by_mask, workload, mean_queue, atom_unit


def test_hypercube_matches_a_chain_with_an_explicit_queue_tail() -> None:
    arrivals, preferences, mean = random_hypercube(6, 3, 5, 0.55)
    by_mask, workload, mean_queue, atom_unit = explicit_tail_hypercube(
        arrivals, preferences, mean, cap=80
    )
    result = theory.hypercube_infinite_queue(arrivals, preferences, mean)
    assert result.state_probabilities == pytest.approx(by_mask, abs=1e-12)
    assert result.workload == pytest.approx(workload, abs=1e-12)
    assert result.mean_queue_length == pytest.approx(mean_queue, rel=1e-9)
    assert result.atom_unit_probability == pytest.approx(atom_unit, abs=1e-12)


def test_hypercube_generator_rows_sum_to_zero() -> None:
    arrivals, preferences, mean = random_hypercube(7, 4, 6, 0.6)
    generator = theory.hypercube_generator(arrivals, preferences, mean)
    assert generator.shape == (16, 16)
    assert np.allclose(np.asarray(generator.sum(axis=1)).ravel(), 0.0, atol=1e-15)


def test_hypercube_rejects_incomplete_preferences_and_unstable_loads() -> None:
    with pytest.raises(ValueError, match="rank every unit"):
        theory.hypercube_infinite_queue([0.1, 0.1], [[0, 1], [1, 1]], 1.0)
    with pytest.raises(ValueError, match="one preference list per atom"):
        theory.hypercube_infinite_queue([0.1, 0.1], [[0, 1], [1]], 1.0)
    with pytest.raises(ValueError, match="unstable"):
        theory.hypercube_infinite_queue([1.0, 1.0], [[0, 1], [1, 0]], 1.0)


def test_stationary_distribution_of_a_two_state_chain() -> None:
    generator = np.array([[-2.0, 2.0], [3.0, -3.0]])
    assert theory.stationary_distribution(generator) == pytest.approx([0.6, 0.4], rel=1e-14)


# --------------------------------------------------------------------------------------------
# 6. Distribution helpers
# --------------------------------------------------------------------------------------------


def test_lognormal_parameters_reproduce_median_and_p90() -> None:
    mu, sigma = theory.lognormal_params_from_median_p90(12.0, 30.0)
    assert mu == pytest.approx(math.log(12.0))
    assert sigma == pytest.approx(math.log(2.5) / 1.2815515655446004, rel=1e-12)
    assert theory.lognormal_quantile_min(mu, sigma, 0.5) == pytest.approx(12.0, rel=1e-12)
    assert theory.lognormal_quantile_min(mu, sigma, 0.9) == pytest.approx(30.0, rel=1e-12)
    assert stats.lognorm(s=sigma, scale=math.exp(mu)).ppf(0.9) == pytest.approx(30.0, rel=1e-12)


def test_lognormal_mean_matches_scipy_and_exceeds_the_median() -> None:
    mu, sigma = theory.lognormal_params_from_median_p90(12.0, 30.0)
    mean = theory.lognormal_mean_min(mu, sigma)
    assert mean == pytest.approx(stats.lognorm(s=sigma, scale=math.exp(mu)).mean(), rel=1e-12)
    assert mean > 12.0


def test_lognormal_rejects_p90_not_above_median() -> None:
    with pytest.raises(ValueError, match="p90_min"):
        theory.lognormal_params_from_median_p90(12.0, 12.0)


def test_empirical_resample_mean_is_the_arithmetic_mean() -> None:
    assert theory.empirical_resample_mean([3.0, 1.0, 4.0, 1.0, 5.0]) == pytest.approx(2.8)


@pytest.mark.parametrize("p", [0.0, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.999, 1.0])
def test_empirical_resample_quantile_is_the_inverse_empirical_cdf(p: float) -> None:
    values = [7.0, 2.0, 9.0, 4.0, 4.0, 1.0, 8.0, 3.0, 6.0, 5.0]
    x = theory.empirical_resample_quantile(values, p)
    intended = Fraction(str(p))  # the decimal probability as written
    at_most = Fraction(sum(v <= x for v in values), len(values))
    below = Fraction(sum(v < x for v in values), len(values))
    assert x in values
    assert at_most >= intended
    assert below < intended or x == min(values)


def test_empirical_resample_quantile_matches_numpy_inverted_cdf_off_the_steps() -> None:
    values = np.random.default_rng(8).lognormal(2.0, 0.6, 37).tolist()
    for p in [0.013, 0.25, 0.5, 0.61, 0.9, 0.987]:
        assert theory.empirical_resample_quantile(values, p) == np.quantile(
            values, p, method="inverted_cdf"
        )


def test_empirical_quantile_takes_decimal_probabilities_as_written() -> None:
    values = [float(v) for v in range(1, 101)]
    assert 0.07 * 100 > 7  # the float product rounds up, yet the rank is 7
    assert theory.empirical_resample_quantile(values, 0.07) == 7.0
    assert 0.29 * 100 < 29
    assert theory.empirical_resample_quantile(values, 0.29) == 29.0
    assert theory.empirical_resample_quantile(values, 0.0) == 1.0
    assert theory.empirical_resample_quantile(values, 1.0) == 100.0
    assert theory.empirical_resample_quantile(values, 0.071) == 8.0
