"""Fault injection: decide, before a request is applied, whether it fails or hangs."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

# Polling is background noise in end-to-end tests, so wildcard faults leave it alone;
# target it explicitly with method="getUpdates".
WILDCARD_EXEMPT = frozenset({"getupdates"})


@dataclass(slots=True, frozen=True)
class Fault:
    """What to do instead of answering normally."""

    kind: str  # "error" or "timeout"
    status: int = 500
    delay: float = 0.0
    deliver: bool = False  # timeout only: apply the call, then hang (lost response)

    @property
    def description(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Internal Server Error"


@dataclass(slots=True)
class _Planned:
    fault: Fault
    method: str | None  # lower-case method name or None for "any"
    remaining: int


class FaultPlan:
    """Queued one-shot faults (``fail_next``/``timeout_next``) plus seeded random faults."""

    def __init__(self) -> None:
        self._planned: deque[_Planned] = deque()
        self.error_rate = 0.0
        self.timeout_rate = 0.0
        self.timeout_delay = 10.0
        self.random_methods: frozenset[str] = frozenset()
        self._rng = random.Random(1)

    def add(self, fault: Fault, n: int, method: str | None) -> None:
        if n > 0:
            self._planned.append(_Planned(fault, method.lower() if method else None, n))

    def set_rates(
        self,
        error_rate: float,
        timeout_rate: float,
        seed: int,
        timeout_delay: float,
        methods: frozenset[str],
    ) -> None:
        self.error_rate = error_rate
        self.timeout_rate = timeout_rate
        self.timeout_delay = timeout_delay
        self.random_methods = methods
        self._rng = random.Random(seed)

    @property
    def armed(self) -> bool:
        """Cheap pre-check so the common no-fault path skips ``decide``."""
        return bool(self._planned) or bool(self.error_rate or self.timeout_rate)

    def clear(self) -> None:
        self._planned.clear()
        self.error_rate = self.timeout_rate = 0.0

    def decide(self, method: str) -> Fault | None:
        """Return the fault for this call (consuming it), or None to answer normally."""
        if self._planned:
            fault = self._take_planned(method)
            if fault is not None:
                return fault
        if (self.error_rate or self.timeout_rate) and method in self.random_methods:
            roll = self._rng.random()
            if roll < self.error_rate:
                return Fault("error", status=500)
            if roll < self.error_rate + self.timeout_rate:
                return Fault("timeout", status=504, delay=self.timeout_delay)
        return None

    def _take_planned(self, method: str) -> Fault | None:
        for planned in self._planned:
            wanted = planned.method
            if wanted == method or (wanted is None and method not in WILDCARD_EXEMPT):
                planned.remaining -= 1
                if planned.remaining <= 0:
                    self._planned.remove(planned)
                return planned.fault
        return None
