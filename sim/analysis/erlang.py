"""Exact M/M/c results: Erlang B and C, the M/M/c wait and its tail, and Cobham's priorities.

The staffing estimate (`sim.planner.staffing`) sizes each hour's staff with these formulas,
and the validation suite (`sim.validation.theory`, `sim.validation.queueing`) checks the
simulator against them, so they live below both. Pure functions: no state, no randomness, no
I/O, and nothing of the simulator, so a disagreement with a simulation points at the
simulator, never at shared code.

Times are in minutes and rates per minute; ``service_mean_min`` is the mean service time, so
the service rate is ``mu = 1 / service_mean_min``; the offered load is ``a = arrival_per_min *
service_mean_min`` (Erlangs) and the utilisation ``rho = a / c``. Invalid or unstable inputs
raise ``ValueError``; the input checks (`require_*`) are shared with `sim.validation.theory`.

References: Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.
(Wiley, 2008), sections 2.3 (M/M/c) and 3.4 (priority queues); Cobham, A. (1954) "Priority
assignment in waiting line problems", Operations Research 2(1):70-76.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def require_positive(name: str, value: float) -> None:
    """`ValueError` naming `name` unless `value` is a positive finite number."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def require_non_negative(name: str, value: float) -> None:
    """`ValueError` naming `name` unless `value` is a non-negative finite number."""
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}")


def require_count(name: str, value: int, minimum: int) -> None:
    """`TypeError` unless `value` is an integer, `ValueError` if it is below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def checked_rates(name: str, values: Sequence[float]) -> list[float]:
    """The rates as floats; `ValueError` if there are none or one is negative."""
    rates = [float(v) for v in values]
    if not rates:
        raise ValueError(f"{name} must not be empty")
    for rate in rates:
        require_non_negative(name, rate)
    return rates


def offered_load_erlangs(arrival_per_min: float, service_mean_min: float) -> float:
    """``a = lambda * s`` in Erlangs, from checked inputs."""
    require_non_negative("arrival_per_min", arrival_per_min)
    require_positive("service_mean_min", service_mean_min)
    return arrival_per_min * service_mean_min


def require_stable(load_erlangs: float, n_servers: int, model: str) -> None:
    """`ValueError` naming the model if the utilisation ``a / c`` is 1 or more."""
    if load_erlangs >= n_servers:
        raise ValueError(
            f"unstable {model}: utilisation rho = {load_erlangs / n_servers:.6g}"
            f" >= 1 (offered load {load_erlangs:.6g} Erlangs on {n_servers}"
            " servers); the queue grows without bound"
        )


# --------------------------------------------------------------------------
# M/M/c (Erlang B / Erlang C)
# --------------------------------------------------------------------------


def erlang_b_blocking_probability(offered_load_erlangs: float, n_servers: int) -> float:
    """Erlang B loss probability of M/M/c/c, by the stable recursion.

    ``B(0) = 1`` and ``B(k) = a B(k-1) / (k + a B(k-1))`` (Gross et al. 2.6).
    Every step is a ratio of positive numbers in [0, 1], so no factorial or
    power overflows; it is accurate for hundreds of servers.
    """
    require_non_negative("offered_load_erlangs", offered_load_erlangs)
    require_count("n_servers", n_servers, 1)
    blocking = 1.0
    for k in range(1, n_servers + 1):
        blocking = offered_load_erlangs * blocking / (k + offered_load_erlangs * blocking)
    return blocking


def erlang_c_wait_probability(
    arrival_per_min: float, service_mean_min: float, n_servers: int
) -> float:
    """Erlang C: probability that an arrival must wait in M/M/c (FIFO).

    ``C(c, a) = c B(c, a) / (c - a (1 - B(c, a)))`` with ``B`` the Erlang B
    probability (Gross et al. 2.3).  Requires ``rho = a / c < 1``.
    """
    load = offered_load_erlangs(arrival_per_min, service_mean_min)
    require_count("n_servers", n_servers, 1)
    require_stable(load, n_servers, "M/M/c")
    blocking = erlang_b_blocking_probability(load, n_servers)
    return n_servers * blocking / (n_servers - load * (1.0 - blocking))


def mmc_mean_wait_min(arrival_per_min: float, service_mean_min: float, n_servers: int) -> float:
    """Mean wait in queue of M/M/c: ``Wq = C(c, a) / (c mu - lambda)``.

    Equivalently ``C * service_mean_min / (c - a)``; for c = 1 it is
    ``rho / (mu - lambda)``.
    """
    wait_probability = erlang_c_wait_probability(arrival_per_min, service_mean_min, n_servers)
    load = arrival_per_min * service_mean_min
    return wait_probability * service_mean_min / (n_servers - load)


def mmc_wait_exceeds_probability(
    arrival_per_min: float, service_mean_min: float, n_servers: int, t_min: float
) -> float:
    """Wait tail of M/M/c FIFO: ``P(W > t) = C(c, a) exp(-(c mu - lambda) t)``.

    Valid for ``t >= 0`` (Gross et al. 2.3); at ``t = 0`` it is the Erlang C
    probability itself.
    """
    require_non_negative("t_min", t_min)
    wait_probability = erlang_c_wait_probability(arrival_per_min, service_mean_min, n_servers)
    drain_per_min = n_servers / service_mean_min - arrival_per_min
    return wait_probability * math.exp(-drain_per_min * t_min)


def mmc_utilisation(arrival_per_min: float, service_mean_min: float, n_servers: int) -> float:
    """Server utilisation ``rho = lambda / (c mu) = a / c`` (long-run busy fraction)."""
    load = offered_load_erlangs(arrival_per_min, service_mean_min)
    require_count("n_servers", n_servers, 1)
    require_stable(load, n_servers, "M/M/c")
    return load / n_servers


def mmc_mean_number_waiting(
    arrival_per_min: float, service_mean_min: float, n_servers: int
) -> float:
    """Mean queue length of M/M/c by Little's law: ``Lq = lambda Wq``."""
    return arrival_per_min * mmc_mean_wait_min(arrival_per_min, service_mean_min, n_servers)


def mmc_mean_number_in_system(
    arrival_per_min: float, service_mean_min: float, n_servers: int
) -> float:
    """Mean number in M/M/c (waiting + in service), Little: ``L = lambda (Wq + 1/mu)``."""
    wait_min = mmc_mean_wait_min(arrival_per_min, service_mean_min, n_servers)
    return arrival_per_min * (wait_min + service_mean_min)


# --------------------------------------------------------------------------
# Non-preemptive priority M/M/c (Cobham)
# --------------------------------------------------------------------------


def mmc_priority_mean_waits_min(
    arrivals_per_min: Sequence[float], service_mean_min: float, n_servers: int
) -> list[float]:
    """Mean wait per class of non-preemptive priority M/M/c, common service rate.

    Class 0 has the highest priority; FIFO within a class.  Cobham (1954), in
    the multi-server form of Gross et al. 3.4::

        W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),
        sigma_k = sum_{i <= k} lambda_i / (c mu),   sigma_{-1} = 0,
        W0 = C(c, a) / (c mu),

    where ``W0`` is the mean time until the next server frees as seen by an
    arrival (``C`` is Erlang C for the total rate).  Requires the total
    utilisation to be < 1.  A class with zero rate gets the wait a
    hypothetical arrival of that class would see.
    """
    rates = checked_rates("arrivals_per_min", arrivals_per_min)
    wait_probability = erlang_c_wait_probability(sum(rates), service_mean_min, n_servers)
    capacity_per_min = n_servers / service_mean_min
    residual_min = wait_probability / capacity_per_min
    waits: list[float] = []
    sigma_before = 0.0
    for rate in rates:
        sigma_after = sigma_before + rate / capacity_per_min
        waits.append(residual_min / ((1.0 - sigma_before) * (1.0 - sigma_after)))
        sigma_before = sigma_after
    return waits


def mmc_priority_weighted_mean_wait_min(
    arrivals_per_min: Sequence[float], service_mean_min: float, n_servers: int
) -> float:
    """Arrival-weighted mean wait over classes: ``sum_k lambda_k W_k / lambda``.

    By the conservation law (see ``mmc_priority_conservation_residual_min``)
    this equals the FIFO M/M/c mean wait for the total rate.  Zero if all
    rates are zero.
    """
    rates = checked_rates("arrivals_per_min", arrivals_per_min)
    waits = mmc_priority_mean_waits_min(rates, service_mean_min, n_servers)
    total = sum(rates)
    if total == 0.0:
        return 0.0
    return math.fsum(rate * wait for rate, wait in zip(rates, waits, strict=True)) / total


def mmc_priority_conservation_residual_min(
    arrivals_per_min: Sequence[float], service_mean_min: float, n_servers: int
) -> float:
    """Conservation law residual: weighted priority mean wait minus FIFO mean wait.

    Kleinrock's conservation law: for any work-conserving, non-preemptive
    discipline that ignores service times, with identically distributed
    (here exponential) service, ``sum_k lambda_k W_k = lambda Wq(FIFO)``.
    With Cobham's formula the sum telescopes:
    ``sum_k (sigma_k - sigma_{k-1}) / ((1-sigma_{k-1})(1-sigma_k)) = sigma/(1-sigma)``.
    The residual is therefore zero up to rounding; a simulator's per-class
    waits should satisfy the same identity.
    """
    rates = checked_rates("arrivals_per_min", arrivals_per_min)
    weighted = mmc_priority_weighted_mean_wait_min(rates, service_mean_min, n_servers)
    return weighted - mmc_mean_wait_min(sum(rates), service_mean_min, n_servers)
