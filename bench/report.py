"""The benchmark's result rows, judged against their targets, and the markdown table."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    """One measured number; `target` like `>= 1.0` (or empty), `passed` None when not judged."""

    item: str
    measure: str
    value: float
    unit: str
    target: str = ""
    detail: str = ""
    quick: bool = False

    @property
    def passed(self) -> bool | None:
        if not self.target or self.quick or not math.isfinite(self.value):
            return None
        sign, bound = self.target.split()
        return self.value >= float(bound) if sign == ">=" else self.value <= float(bound)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "passed": self.passed}


def markdown(rows: list[Row], about: dict[str, object], *, quick: bool) -> str:
    """The rows as a markdown table under a line saying when and where they were measured."""
    lines = [
        f"Measured {about['date']} on {about['cpu']} ({about['n_cpus']} CPUs, "
        f"{about['memory_gib']} GiB), Python {about['python']}, SimPy {about['simpy']}, "
        f"Ciw {about['ciw']}" + (" — QUICK smoke run, not judged" if quick else ""),
        "",
        "| item | measure | value | target | result | detail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        verdict = {True: "pass", False: "FAIL", None: "-"}[row.passed]
        value = f"{row.value:.3g} {row.unit}".strip()
        lines.append(
            f"| {row.item} | {row.measure} | {value} | {row.target or '-'} | {verdict} "
            f"| {row.detail} |"
        )
    return "\n".join(lines)
