"""The reference M/M/c queues the model is timed against: plain SimPy and Ciw.

`simpy_mmc` is the idiomatic SimPy M/M/c of the SimPy tutorials: one source process, one
process per customer, servers as a `simpy.Resource`. `ciw_mmc` is the same queue in Ciw.
Both serve `n_customers` customers (Poisson arrivals at `arrival_per_hour`, exponential
service of mean `service_mean_min`, `servers` servers) and return each customer's wait in
minutes, so that the benchmark can check the three implementations agree in distribution.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

MIN_PER_HOUR = 60.0


def simpy_mmc(
    arrival_per_hour: float, service_mean_min: float, servers: int, n_customers: int, seed: int
) -> np.ndarray:
    """Waits (minutes) of `n_customers` customers of a plain SimPy M/M/c queue."""
    rng = np.random.default_rng(seed)
    gaps_min = rng.exponential(MIN_PER_HOUR / arrival_per_hour, n_customers).tolist()
    services_min = rng.exponential(service_mean_min, n_customers).tolist()
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=servers)
    waits_min: list[float] = []

    def customer(index: int) -> Generator[simpy.Event, None, None]:
        t_arrival = env.now
        with counter.request() as request:
            yield request
            waits_min.append(env.now - t_arrival)
            yield env.timeout(services_min[index])

    def source() -> Generator[simpy.Event, None, None]:
        for index, gap_min in enumerate(gaps_min):
            yield env.timeout(gap_min)
            env.process(customer(index))

    env.process(source())
    env.run()
    return np.asarray(waits_min)


def ciw_mmc(
    arrival_per_hour: float, service_mean_min: float, servers: int, n_customers: int, seed: int
) -> np.ndarray:
    """Waits (minutes) of the first `n_customers` customers of the same queue in Ciw."""
    import ciw  # a bench-only dependency (the `bench` extra)

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrival_per_hour / MIN_PER_HOUR)],
        service_distributions=[ciw.dists.Exponential(1.0 / service_mean_min)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(n_customers, method="Finish")
    records = simulation.get_all_records()
    return np.asarray([r.waiting_time for r in records])
