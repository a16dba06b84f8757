"""Exact queueing-theory reference results for validating the jointduty simulator.

Concept
-------
The SimPy simulator is validated by running it on small, idealised
configurations for which queueing theory gives *exact* answers and comparing
its estimates with those answers.  This module and `sim.analysis.erlang` (the
M/M/c results, which the staffing estimate uses too) are the source of the
answers: closed forms and small Markov chains solved exactly.  It is pure (no state, no
randomness, no I/O) and independent of the simulator, so a disagreement points
at the simulator (or at a mismatch of assumptions), never at shared code.

Models
------
1. M/M/c with FIFO queue (Erlang C): wait probability, mean wait, wait tail,
   utilisation, mean numbers waiting / in system (in `sim.analysis.erlang`).
2. Non-preemptive priority M/M/c with a common service rate (Cobham's
   formula) and the work-conservation law that ties it to FIFO (there too).
3. M_t/M/infinity mean number busy (offered load) for a periodic
   piecewise-constant hourly arrival rate, and for a sinusoidal rate.
4. "Team pairs": every incident needs two of c identical units at once
   (continuous-time Markov chain solved with a sparse linear solve).
5. Larson's hypercube model with an infinite FCFS queue (exact, 2^N states).
6. Distribution helpers: lognormal parameters from median and 90th
   percentile, and the exact mean / quantile of resampling an empirical list.

Conventions
-----------
Times are in minutes and rates are per minute unless a name says otherwise
(``*_per_hour``).  ``service_mean_min`` is the mean service time, so the
service rate is ``mu = 1 / service_mean_min``.  The offered load is
``a = arrival_per_min * service_mean_min`` (Erlangs) and the utilisation is
``rho = a / c``.  Invalid or unstable inputs raise ``ValueError`` (the checks
are `sim.analysis.erlang`'s ``require_*``).

References
----------
* Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.
  (Wiley, 2008): sections 2.3 (M/M/c), 3.4 (priority queues).
* Cobham, A. (1954) "Priority assignment in waiting line problems",
  Operations Research 2(1):70-76.
* Eick, Massey & Whitt (1993) "The physics of the M_t/G/infinity queue",
  Operations Research 41(4):731-742.
* Larson, R. C. (1974) "A hypercube queuing model for facility location and
  redistricting in urban emergency services", Computers & Operations
  Research 1(1):67-95.

"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import spsolve
from scipy.stats import norm

from sim.analysis.erlang import (
    checked_rates,
    offered_load_erlangs,
    require_count,
    require_non_negative,
    require_positive,
    require_stable,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MINUTES_PER_HOUR = 60.0
HOURS_PER_DAY = 24
MINUTES_PER_DAY = MINUTES_PER_HOUR * HOURS_PER_DAY
DEFAULT_TRUNCATED_MASS = 1e-12
MAX_TEAM_PAIR_STATES = 2_000_000
MAX_HYPERCUBE_UNITS = 16
Z_0_9 = float(norm.ppf(0.9))
QUANTILE_RANK_TOLERANCE = 1e-9


# --------------------------------------------------------------------------
# 3. M_t/M/infinity offered load
# --------------------------------------------------------------------------


def _hourly_rates(rates_per_min_by_hour: Sequence[float]) -> list[float]:
    rates = checked_rates("rates_per_min_by_hour", rates_per_min_by_hour)
    if len(rates) != HOURS_PER_DAY:
        raise ValueError(f"need one rate per hour ({HOURS_PER_DAY}), got {len(rates)}")
    return rates


def _discounted_piece(t_min: float, start_min: float, end_min: float, mean_min: float) -> float:
    """``integral_{start}^{end} exp(-(t - v) / s) dv`` for ``start <= end <= t``."""
    width = end_min - start_min
    return mean_min * math.exp(-(t_min - end_min) / mean_min) * -math.expm1(-width / mean_min)


def mt_infinite_mean_busy(
    rates_per_min_by_hour: Sequence[float], service_mean_min: float, t_min: float
) -> float:
    """Mean number busy ``m(t)`` in M_t/M/infinity, periodic hourly rate, at time t.

    ``lambda(v) = rates_per_min_by_hour[floor(v / 60) mod 24]`` repeats every
    day (1440 min), ``t_min`` is minutes since the start of hour 0 (any real).
    Service is exponential with mean ``s``, so ``P(S > u) = exp(-u / s)`` and
    (Eick, Massey & Whitt 1993)::

        m(t) = integral_0^inf lambda(t - u) exp(-u / s) du
             = 1 / (1 - exp(-T / s)) * integral_{t-T}^{t} lambda(v) exp(-(t - v) / s) dv,

    with ``T = 1440``: the periodic past folds into a geometric series over
    cycles.  Each constant piece of ``[t - T, t]`` contributes
    ``lambda_h s (exp(-(t - end)/s) - exp(-(t - start)/s))``.  This is the
    periodic steady state (the system has run forever); it also solves
    ``m'(t) = lambda(t) - m(t) / s``.  A constant rate gives ``lambda s``.
    """
    rates = _hourly_rates(rates_per_min_by_hour)
    require_positive("service_mean_min", service_mean_min)
    if not math.isfinite(t_min):
        raise ValueError(f"t_min must be finite, got {t_min!r}")
    t_in_day = t_min % MINUTES_PER_DAY
    window_start = t_in_day - MINUTES_PER_DAY
    first_hour = math.floor(window_start / MINUTES_PER_HOUR)
    last_hour = math.ceil(t_in_day / MINUTES_PER_HOUR) - 1
    one_cycle = 0.0
    for hour in range(first_hour, last_hour + 1):
        start = max(hour * MINUTES_PER_HOUR, window_start)
        end = min((hour + 1) * MINUTES_PER_HOUR, t_in_day)
        if end > start:
            rate = rates[hour % HOURS_PER_DAY]
            one_cycle += rate * _discounted_piece(t_in_day, start, end, service_mean_min)
    return one_cycle / -math.expm1(-MINUTES_PER_DAY / service_mean_min)


def mt_infinite_mean_busy_sinusoid(
    mean_rate_per_min: float,
    amplitude_per_min: float,
    period_min: float,
    service_mean_min: float,
    t_min: float,
) -> float:
    """Mean number busy in M_t/M/infinity with ``lambda(t) = a + b sin(2 pi t / T)``.

    With ``omega = 2 pi / T`` and exponential service of mean ``s``
    (Eick, Massey & Whitt 1993, sinusoidal example)::

        m(t) = a s + b s (sin(omega t) - omega s cos(omega t)) / (1 + (omega s)^2)

    i.e. the offered load lags the arrival rate and its swing is damped by
    ``1 / sqrt(1 + (omega s)^2)``.  Requires ``a >= |b|`` so the rate is
    non-negative.
    """
    require_non_negative("mean_rate_per_min", mean_rate_per_min)
    if not math.isfinite(amplitude_per_min) or abs(amplitude_per_min) > mean_rate_per_min:
        raise ValueError(
            f"|amplitude_per_min| = {abs(amplitude_per_min)!r} must not exceed"
            f" mean_rate_per_min = {mean_rate_per_min!r} (negative arrival rate)"
        )
    require_positive("period_min", period_min)
    require_positive("service_mean_min", service_mean_min)
    omega_per_min = 2.0 * math.pi / period_min
    phase = omega_per_min * t_min
    damping = omega_per_min * service_mean_min
    swing = math.sin(phase) - damping * math.cos(phase)
    return service_mean_min * (
        mean_rate_per_min + amplitude_per_min * swing / (1.0 + damping * damping)
    )


# --------------------------------------------------------------------------
# Shared: stationary distribution of a finite CTMC
# --------------------------------------------------------------------------


def _generator_from_rates(
    sources: IntArray, targets: IntArray, rates_per_min: FloatArray, n_states: int
) -> sparse.csr_matrix:
    """Build the generator ``Q`` from off-diagonal transitions (duplicates summed)."""
    off_diagonal = sparse.coo_matrix(
        (rates_per_min, (sources, targets)), shape=(n_states, n_states)
    ).tocsr()
    exit_rates = np.asarray(off_diagonal.sum(axis=1)).ravel()
    return sparse.csr_matrix(off_diagonal - sparse.diags(exit_rates))


def _pinned_solution(transposed: sparse.csr_matrix, pinned: int) -> FloatArray:
    """Solve ``Q^T x = 0`` with ``x[pinned] = 1`` (drop that balance equation)."""
    keep = np.flatnonzero(np.arange(transposed.shape[0]) != pinned)
    reduced = transposed[keep][:, keep].tocsc()
    rhs = -transposed[keep][:, [pinned]].toarray().ravel()
    solution = np.ones(transposed.shape[0])
    solution[keep] = spsolve(reduced, rhs)
    return solution


def stationary_distribution(generator: sparse.spmatrix | FloatArray) -> FloatArray:
    """Stationary ``pi`` of an irreducible finite CTMC: ``pi Q = 0``, ``sum pi = 1``.

    Fixes one component (``pi[s] = 1``), drops that state's balance equation
    and solves the remaining sparse system ``Q^T pi = 0`` by sparse LU
    (``scipy.sparse.linalg.spsolve``); the reduced matrix is a principal
    sub-matrix of an irreducible generator, hence non-singular, and keeps the
    generator's sparsity (no dense normalisation row).  It solves first with
    ``s = 0`` and again with ``s`` the most likely state, for accuracy, then
    normalises.  Round-off negatives (order 1e-17) are clipped.
    """
    q_matrix = sparse.csr_matrix(generator, dtype=np.float64)
    n_states = q_matrix.shape[0]
    if q_matrix.shape != (n_states, n_states) or n_states == 0:
        raise ValueError(f"generator must be a non-empty square matrix, got {q_matrix.shape}")
    if n_states == 1:
        return np.ones(1)
    transposed = sparse.csr_matrix(q_matrix.T)
    solution = _pinned_solution(transposed, 0)
    if np.all(np.isfinite(solution)):
        solution = _pinned_solution(transposed, int(np.argmax(solution)))
    if not np.all(np.isfinite(solution)) or solution.sum() <= 0.0:
        raise ValueError("singular generator: is the chain irreducible?")
    clipped: FloatArray = np.clip(solution, 0.0, None)
    return clipped / float(clipped.sum())


# --------------------------------------------------------------------------
# 4. Team pairs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPairsResult:
    """Steady-state measures of the team-pairs model (see ``team_pairs_metrics``)."""

    mean_number_waiting: float
    mean_wait_min: float
    wait_probability: float
    unit_utilisation: float
    mean_pairs_busy: float
    queue_cap: int


def _team_pair_slots(arrival_per_min: float, service_mean_min: float, n_units: int) -> int:
    offered_load_erlangs(arrival_per_min, service_mean_min)
    require_count("n_units", n_units, 2)
    return n_units // 2


def team_pairs_queue_cap(
    arrival_per_min: float,
    service_mean_min: float,
    n_units: int,
    truncated_mass: float = DEFAULT_TRUNCATED_MASS,
) -> int:
    """Smallest queue cap whose neglected stationary mass is below ``truncated_mass``.

    With ``K = floor(c/2)`` pairs all busy the queue is a birth-death chain
    with ratio ``r = lambda / (K mu)``, so ``pi(K, q) = pi(K, 0) r^q`` and the
    mass above a cap ``Q`` is ``pi(K, 0) r^(Q+1) / (1 - r) <= r^(Q+1) / (1 - r)``.
    Returns the smallest ``Q >= 0`` making that bound strictly below
    ``truncated_mass``.  Raises ``ValueError`` when ``r >= 1`` (unstable).
    """
    pairs = _team_pair_slots(arrival_per_min, service_mean_min, n_units)
    require_positive("truncated_mass", truncated_mass)
    load = arrival_per_min * service_mean_min
    require_stable(load, pairs, f"team pairs ({n_units} units = {pairs} pairs)")
    ratio = load / pairs
    if ratio == 0.0 or truncated_mass * (1.0 - ratio) >= 1.0:
        return 0
    cap = max(0, math.floor(math.log(truncated_mass * (1.0 - ratio)) / math.log(ratio)))
    while cap > 0 and ratio**cap / (1.0 - ratio) < truncated_mass:
        cap -= 1  # guard against log round-off making the cap one too large
    while ratio ** (cap + 1) / (1.0 - ratio) >= truncated_mass:
        cap += 1
    return cap


def team_pairs_states(n_units: int, queue_cap: int) -> list[tuple[int, int]]:
    """State list ``(k, q)`` of the team-pairs CTMC, in generator index order.

    ``k`` = pairs in service, ``q`` = incidents waiting.  Head-of-line start
    means an incident waits only if fewer than 2 units are free, i.e. only
    when ``k = K = floor(c/2)``; so the reachable states are ``(k, 0)`` for
    ``k < K`` and ``(K, q)`` for ``0 <= q <= queue_cap``.  Index = ``k + q``.
    """
    require_count("n_units", n_units, 2)
    require_count("queue_cap", queue_cap, 0)
    pairs = n_units // 2
    return [(k, 0) for k in range(pairs)] + [(pairs, q) for q in range(queue_cap + 1)]


def team_pairs_generator(
    arrival_per_min: float, service_mean_min: float, n_units: int, queue_cap: int
) -> sparse.csr_matrix:
    """Build the truncated team-pairs CTMC generator (states as ``team_pairs_states``).

    Transitions: an arrival (rate lambda) starts a pair if ``k < K``, else
    joins the queue (blocked at ``q = queue_cap``, the truncation); each busy
    pair finishes at rate ``mu = 1 / service_mean_min``, and on finishing with
    ``q > 0`` the head-of-line incident takes the two freed units at once
    (``(K, q) -> (K, q - 1)``).  With ``c`` odd the spare unit can never form
    a pair alone, so it is idle whenever ``k = K``.
    """
    pairs = _team_pair_slots(arrival_per_min, service_mean_min, n_units)
    n_states = len(team_pairs_states(n_units, queue_cap))
    index = np.arange(n_states, dtype=np.int64)
    pairs_busy = np.minimum(index, pairs)
    births = index[:-1]
    deaths = index[1:]
    sources = np.concatenate([births, deaths])
    targets = np.concatenate([births + 1, deaths - 1])
    rates = np.concatenate(
        [
            np.full(births.size, float(arrival_per_min)),
            pairs_busy[1:] / service_mean_min,
        ]
    )
    return _generator_from_rates(sources, targets, rates, n_states)


def team_pairs_stationary(
    arrival_per_min: float,
    service_mean_min: float,
    n_units: int,
    truncated_mass: float = DEFAULT_TRUNCATED_MASS,
) -> tuple[list[tuple[int, int]], FloatArray]:
    """States and stationary probabilities of the team-pairs CTMC.

    The queue cap comes from ``team_pairs_queue_cap`` (neglected mass below
    ``truncated_mass``); the chain is solved by ``stationary_distribution``.
    Requires ``arrival_per_min > 0`` (irreducibility) and ``rho < 1``.
    """
    require_positive("arrival_per_min", arrival_per_min)
    cap = team_pairs_queue_cap(arrival_per_min, service_mean_min, n_units, truncated_mass)
    states = team_pairs_states(n_units, cap)
    if len(states) > MAX_TEAM_PAIR_STATES:
        raise ValueError(
            f"team pairs needs {len(states)} states (> {MAX_TEAM_PAIR_STATES});"
            " utilisation is too close to 1 for this truncation"
        )
    generator = team_pairs_generator(arrival_per_min, service_mean_min, n_units, cap)
    return states, stationary_distribution(generator)


def team_pairs_metrics(
    arrival_per_min: float,
    service_mean_min: float,
    n_units: int,
    truncated_mass: float = DEFAULT_TRUNCATED_MASS,
) -> TeamPairsResult:
    """Team pairs: c identical units, every incident needs 2 units at once.

    Poisson arrivals (rate lambda), exponential service of the pair (mean
    ``service_mean_min``; both units are released together), one infinite
    FIFO queue, head-of-line start as soon as 2 units are free.  Solved as the
    CTMC of ``team_pairs_generator`` truncated by ``team_pairs_queue_cap``.

    Returns the mean number waiting ``E[q]``, mean wait ``E[q] / lambda``
    (Little), wait probability ``P(k = K)`` (PASTA: an arrival waits iff fewer
    than 2 units are free), unit utilisation ``2 E[k] / c`` and ``E[k]``.

    Note: because every incident takes exactly 2 identical units, the chain
    is the birth-death chain of M/M/K with ``K = floor(c/2)`` "pair servers";
    the tests use Erlang C for K servers as an independent check.
    """
    states, probabilities = team_pairs_stationary(
        arrival_per_min, service_mean_min, n_units, truncated_mass
    )
    pairs_busy = np.array([k for k, _ in states], dtype=np.float64)
    waiting = np.array([q for _, q in states], dtype=np.float64)
    all_pairs_busy = pairs_busy == n_units // 2
    mean_waiting = float(waiting @ probabilities)
    mean_pairs = float(pairs_busy @ probabilities)
    return TeamPairsResult(
        mean_number_waiting=mean_waiting,
        mean_wait_min=mean_waiting / arrival_per_min,
        wait_probability=float(probabilities[all_pairs_busy].sum()),
        unit_utilisation=2.0 * mean_pairs / n_units,
        mean_pairs_busy=mean_pairs,
        queue_cap=len(states) - n_units // 2 - 1,
    )


# --------------------------------------------------------------------------
# 5. Larson's hypercube with an infinite FCFS queue
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HypercubeResult:
    """Steady-state measures of the hypercube model (see ``hypercube_infinite_queue``).

    ``state_probabilities[b]``: probability of busy-set bitmask ``b`` (bit i
    set = unit i busy); the all-busy entry ``2^N - 1`` includes every queue
    length.  ``workload[i]``: fraction of time unit i is busy.
    ``atom_unit_probability[j, i]``: probability a call from atom j is served
    by unit i (rows sum to 1).  ``dispatch_fraction[j, i]``: Larson's
    ``f``: fraction of *all* dispatches that send unit i to atom j (sums to 1).
    ``queue_probability``: P(all N busy) = P(a call waits).
    """

    state_probabilities: FloatArray
    workload: FloatArray
    atom_unit_probability: FloatArray
    dispatch_fraction: FloatArray
    queue_probability: float
    mean_queue_length: float
    mean_wait_min: float


def _hypercube_inputs(
    arrivals_per_min_by_atom: Sequence[float], preference_lists: Sequence[Sequence[int]]
) -> tuple[FloatArray, IntArray]:
    rates = np.array(checked_rates("arrivals_per_min_by_atom", arrivals_per_min_by_atom))
    lists = [[int(unit) for unit in preference] for preference in preference_lists]
    if len(lists) != rates.size or len({len(preference) for preference in lists}) != 1:
        raise ValueError("need one preference list per atom, all of the same length")
    preferences = np.array(lists, dtype=np.int64)
    n_units = preferences.shape[1]
    require_count("number of units", n_units, 1)
    if n_units > MAX_HYPERCUBE_UNITS:
        raise ValueError(f"at most {MAX_HYPERCUBE_UNITS} units (2^N states), got {n_units}")
    expected = np.arange(n_units)
    for atom, preference in enumerate(preferences):
        if not np.array_equal(np.sort(preference), expected):
            raise ValueError(
                f"preference list of atom {atom} must rank every unit 0..{n_units - 1}"
                f" exactly once, got {preference.tolist()}"
            )
    require_positive("total arrival rate", float(rates.sum()))
    return rates, preferences


def _busy_table(n_units: int) -> BoolArray:
    """``table[b, i]`` is True iff unit i is busy in bitmask state b."""
    states = np.arange(2**n_units, dtype=np.int64)
    return ((states[:, None] >> np.arange(n_units)[None, :]) & 1).astype(bool)


def _dispatched_unit(busy: BoolArray, preference: IntArray) -> IntArray:
    """Per state, the first free unit in ``preference`` (-1 if all are busy)."""
    free_in_order = ~busy[:, preference]
    chosen = preference[np.argmax(free_in_order, axis=1)]
    return np.where(free_in_order.any(axis=1), chosen, -1).astype(np.int64)


def hypercube_generator(
    arrivals_per_min_by_atom: Sequence[float],
    preference_lists: Sequence[Sequence[int]],
    service_mean_min: float,
) -> sparse.csr_matrix:
    """Build the hypercube CTMC generator on busy-set bitmasks ``0 .. 2^N - 1``.

    A call from atom j (rate ``lambda_j``) in state b goes to the first free
    unit i of atom j's preference list: ``b -> b | 2^i``.  A busy unit
    finishes at rate ``mu``: ``b -> b & ~2^i``.  The all-busy state
    ``F = 2^N - 1`` stands for the whole queue tail ``(F, q), q >= 0``, a
    birth-death chain (birth lambda, death ``N mu``) whose stationary law is
    geometric, ``P(q | F) = (1 - r) r^q`` with ``r = lambda / (N mu)``; the
    aggregate leaves F only from q = 0, so each unit's exit rate from F is
    ``mu (1 - r)``.  This lumping is exact for stationary probabilities.
    """
    rates, preferences = _hypercube_inputs(arrivals_per_min_by_atom, preference_lists)
    require_positive("service_mean_min", service_mean_min)
    n_units = preferences.shape[1]
    total = float(rates.sum())
    require_stable(total * service_mean_min, n_units, "hypercube (infinite queue)")
    busy = _busy_table(n_units)
    states = np.arange(busy.shape[0], dtype=np.int64)
    full = states[-1]
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    values: list[FloatArray] = []
    for rate, preference in zip(rates, preferences, strict=True):
        unit = _dispatched_unit(busy, preference)
        free = unit >= 0
        sources.append(states[free])
        targets.append(states[free] | (1 << unit[free]))
        values.append(np.full(int(free.sum()), rate))
    service_per_min = 1.0 / service_mean_min
    queue_ratio = total * service_mean_min / n_units
    for unit_index in range(n_units):
        finishing = states[busy[:, unit_index]]
        sources.append(finishing)
        targets.append(finishing & ~(1 << unit_index))
        exit_rate = np.full(finishing.size, service_per_min)
        exit_rate[finishing == full] *= 1.0 - queue_ratio
        values.append(exit_rate)
    return _generator_from_rates(
        np.concatenate(sources), np.concatenate(targets), np.concatenate(values), states.size
    )


def hypercube_infinite_queue(
    arrivals_per_min_by_atom: Sequence[float],
    preference_lists: Sequence[Sequence[int]],
    service_mean_min: float,
) -> HypercubeResult:
    """Larson's hypercube model (infinite-line-capacity variant), solved exactly.

    Assumptions: N single-unit stations ("units" 0..N-1, N <= 16); calls
    arrive from J demand atoms as independent Poisson streams with rates
    ``arrivals_per_min_by_atom``; every call's total service time (travel,
    on scene, return) is exponential with the same mean for every unit and
    atom; atom j has a fixed preference list ranking *all* N units (e.g. by
    distance); a call gets the first free unit on its list; if all N are busy
    it joins one infinite FCFS queue and is served by the first unit to
    free.  Units return to their station between calls (state = busy set).

    Stationary probabilities come from ``hypercube_generator`` (exact lumping
    of the queue tail).  By PASTA an atom-j call sees the stationary state, so
    ``atom_unit_probability[j, i] = sum_{b: first free of j is i} pi(b)
    + P_Q / N``: a queued call is served by whichever unit frees first, and
    with equal exponential rates each of the N busy units is equally likely.
    ``dispatch_fraction[j, i] = lambda_j / lambda * atom_unit_probability[j, i]``
    (Larson's f).  Workloads ``rho_i = sum_{b: i busy} pi(b)`` satisfy
    ``sum_i rho_i = lambda / mu`` (no call is lost).  ``P_Q`` equals the
    Erlang C probability for N servers, ``Lq = P_Q r / (1 - r)`` and
    ``Wq = Lq / lambda``.
    """
    rates, preferences = _hypercube_inputs(arrivals_per_min_by_atom, preference_lists)
    generator = hypercube_generator(rates.tolist(), preferences.tolist(), service_mean_min)
    probabilities = stationary_distribution(generator)
    n_units = preferences.shape[1]
    total = float(rates.sum())
    busy = _busy_table(n_units)
    queue_probability = float(probabilities[-1])
    atom_unit = np.zeros((rates.size, n_units))
    for atom, preference in enumerate(preferences):
        unit = _dispatched_unit(busy, preference)
        free = unit >= 0
        np.add.at(atom_unit[atom], unit[free], probabilities[free])
    atom_unit += queue_probability / n_units
    queue_ratio = total * service_mean_min / n_units
    mean_queue_length = queue_probability * queue_ratio / (1.0 - queue_ratio)
    return HypercubeResult(
        state_probabilities=probabilities,
        workload=busy.T.astype(np.float64) @ probabilities,
        atom_unit_probability=atom_unit,
        dispatch_fraction=atom_unit * (rates / total)[:, None],
        queue_probability=queue_probability,
        mean_queue_length=mean_queue_length,
        mean_wait_min=mean_queue_length / total,
    )


# --------------------------------------------------------------------------
# 6. Distribution helpers
# --------------------------------------------------------------------------


def lognormal_params_from_median_p90(median_min: float, p90_min: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal with the given median and 90th percentile.

    ``mu = ln(median)`` and ``sigma = ln(p90 / median) / z_0.9`` with
    ``z_0.9 = Phi^{-1}(0.9) ~ 1.2816``.  Requires ``p90 > median > 0``.
    """
    require_positive("median_min", median_min)
    require_positive("p90_min", p90_min)
    if p90_min <= median_min:
        raise ValueError(f"p90_min ({p90_min}) must exceed median_min ({median_min})")
    return math.log(median_min), math.log(p90_min / median_min) / Z_0_9


def lognormal_mean_min(mu: float, sigma: float) -> float:
    """Mean of the lognormal: ``exp(mu + sigma^2 / 2)`` (minutes if mu is log-minutes)."""
    require_non_negative("sigma", sigma)
    return math.exp(mu + 0.5 * sigma * sigma)


def lognormal_quantile_min(mu: float, sigma: float, probability: float) -> float:
    """Quantile of the lognormal: ``exp(mu + sigma Phi^{-1}(p))`` for ``0 < p < 1``."""
    require_non_negative("sigma", sigma)
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be in (0, 1), got {probability!r}")
    return math.exp(mu + sigma * float(norm.ppf(probability)))


def _empirical_values(values: Sequence[float]) -> list[float]:
    data = [float(v) for v in values]
    if not data:
        raise ValueError("values must not be empty")
    if not all(math.isfinite(v) for v in data):
        raise ValueError("values must be finite")
    return data


def empirical_resample_mean(values: Sequence[float]) -> float:
    """Mean of one draw with replacement from ``values``: their arithmetic mean.

    Each value has probability 1/n, so ``E[X] = sum(values) / n`` (computed
    with ``math.fsum`` to avoid accumulation error).
    """
    data = _empirical_values(values)
    return math.fsum(data) / len(data)


def empirical_resample_quantile(values: Sequence[float], probability: float) -> float:
    """Exact p-quantile of one draw with replacement from ``values``.

    The draw has the empirical CDF ``F(x) = #{v <= x} / n``; its quantile is
    ``inf {x : F(x) >= p} = sorted(values)[ceil(p n) - 1]`` (the minimum for
    p = 0), numpy's ``inverted_cdf`` method.  A product ``p n`` within
    round-off (1e-9 relative) of an integer k is taken as k, so decimal
    probabilities behave as written (p = 0.07, n = 100 selects the 7th value,
    although the float 0.07 * 100 exceeds 7).  At such p the CDF is flat
    between the k-th and (k+1)-th order statistics, every value there is a
    p-quantile, and the lower one is returned.
    """
    data = sorted(_empirical_values(values))
    if not (math.isfinite(probability) and 0.0 <= probability <= 1.0):
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    product = probability * len(data)
    nearest = round(product)
    if abs(product - nearest) <= QUANTILE_RANK_TOLERANCE * max(1.0, product):
        rank = nearest
    else:
        rank = math.ceil(product)
    return data[max(rank, 1) - 1]
