"""Training on a busy CPU: how many threads numpy's BLAS may use, chosen by timing real steps.

OpenBLAS's threads spin-wait for each other. When other programs hold the cores, a step that takes
0.5 s on a quiet machine was seen to take 15 s, because each thread waits for a core its partner
cannot get. ``BlasThreads`` times training steps with all of BLAS's threads and with one, keeps the
faster, and checks again now and then, since the load changes. threadpoolctl sets the limit around
each step only, so nothing outside training is affected and no environment variable is needed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

__all__ = ["BlasThreads"]

_PROBE_STEPS = 2  # steps timed per setting when comparing
_SLOWER = 3.0  # a setting this many times slower than the best is dropped after one step
_FIRST_CHECK = 20.0  # seconds until the choice is checked again; doubles while it holds, up to _LAST
_LAST_CHECK = 160.0


class BlasThreads:
    """Per training step, the BLAS thread limit that trains fastest right now.

    Usage, once per step of a training loop::

        threads = BlasThreads()
        for batch in batches:
            with threads.step():
                train_step(batch)

    Settings are compared on ``_PROBE_STEPS`` steps each (the best time counts); the faster one is
    kept until a step takes ``_SLOWER`` times its usual time or the next check is due.
    """

    def __init__(self) -> None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # a dependency, but a missing one must not stop training
            self._controller, most = None, 1
        else:
            self._controller = ThreadpoolController().select(user_api="blas")
            most = max((lib["num_threads"] for lib in self._controller.info()), default=1)
        # one thread first: at worst about `most` times slower, where spin-waiting threads on a busy
        # machine can be 30 times slower, and a setting _SLOWER than the best is dropped after a step
        self.settings = [1, most] if most > 1 else [1]
        self._trying = list(self.settings)
        self._times: dict[int, list[float]] = {}
        self.threads = self._trying[0]
        self._chosen: int | None = None
        self._warm = False  # the first step builds the model and warms caches: it is not timed
        self._usual = 0.0
        self._check_after = _FIRST_CHECK
        self._next_check = 0.0

    @contextlib.contextmanager
    def step(self) -> Iterator[int]:
        """Run one step under the current limit (yields it), timing it to steer the next ones."""
        if self._controller is None or len(self.settings) == 1:
            yield self.threads
            return
        started = time.perf_counter()
        with self._controller.limit(limits=self.threads):
            yield self.threads
        self._record(time.perf_counter() - started, started)

    def _record(self, seconds: float, now: float) -> None:
        if not self._warm:
            self._warm = True
            return
        if self._trying:  # comparing settings
            times = self._times.setdefault(self.threads, [])
            times.append(seconds)
            best = min((min(t) for t in self._times.values()), default=seconds)
            if len(times) >= _PROBE_STEPS or seconds > _SLOWER * best:
                self._trying.pop(0)
            if self._trying:
                self.threads = self._trying[0]
                return
            winner = min(self._times, key=lambda n: min(self._times[n]))
            held = winner == self._chosen
            self.threads = self._chosen = winner
            self._usual = min(self._times[winner])
            self._times = {}
            # a choice that held is checked less often
            self._check_after = min(self._check_after * 2, _LAST_CHECK) if held else _FIRST_CHECK
            self._next_check = now + seconds + self._check_after
            return
        if now >= self._next_check or seconds > _SLOWER * self._usual:  # the load may have changed
            self._trying = list(self.settings)
            self.threads = self._trying[0]

