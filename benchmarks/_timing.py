"""Shared timing helpers for the benchmark scripts: medians, paired ratios, peak RSS in a subprocess.

The machine is noisy, so comparisons alternate the two contenders (a, b, a, b, ...) and report the
median of the per-pair ratios: a slow spell hits both members of a pair, not one contender.

Example:
    >>> from _timing import median_ms, paired_ratio
    >>> ms = median_ms(lambda: sum(range(1000)), repeats=5)
    >>> ratio, ms_a, ms_b = paired_ratio(lambda: sum(range(1000)), lambda: sum(range(2000)), pairs=5)
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def once_ms(f: Callable[[], object], settle: float = 0.0, clock: Callable[[], float] = time.perf_counter
            ) -> float:
    """Time one call of ``f`` in milliseconds (after a gc.collect and an optional settling sleep)."""
    gc.collect()  # collect outside the timed section so one contender doesn't pay for the other's garbage
    if settle:
        # let the previous contender's idle BLAS/OpenMP worker threads stop spinning: on a 2-core
        # machine a spinning pool of one library halves the speed of the next one
        time.sleep(settle)
    start = clock()
    f()
    return (clock() - start) * 1000.0


def median_ms(f: Callable[[], object], repeats: int = 10, warmup: int = 1) -> float:
    """Median wall time of ``f()`` in milliseconds over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        f()
    return statistics.median(once_ms(f) for _ in range(repeats))


def paired_ratio(
    fa: Callable[[], object], fb: Callable[[], object], pairs: int = 10, warmup: int = 1, settle: float = 0.0
) -> tuple[float, float, float]:
    """Time ``fa`` and ``fb`` in turn ``pairs`` times; return (median of ms_a/ms_b, median ms_a, median ms_b).

    The order inside each pair alternates (ab, ba, ab, ...) so that neither always runs first.
    """
    for _ in range(warmup):
        fa()
        fb()
    ratios, times_a, times_b = [], [], []
    for i in range(pairs):
        if i % 2 == 0:
            ta, tb = once_ms(fa, settle), once_ms(fb, settle)
        else:
            tb, ta = once_ms(fb, settle), once_ms(fa, settle)
        ratios.append(ta / tb)
        times_a.append(ta)
        times_b.append(tb)
    return statistics.median(ratios), statistics.median(times_a), statistics.median(times_b)


def paired_table(
    contenders: dict[str, Callable[[], object]], pairs: int = 10, warmup: int = 1, settle: float = 0.0,
    clock: Callable[[], float] = time.perf_counter, reported: bool = False,
) -> dict:
    """Time several contenders round-robin (rotating who goes first); per-round ms for each.

    Returns ``{name: [ms, ...]}`` with one entry per round, so callers can form paired ratios
    ``median(a[i] / b[i])`` for any two names. ``settle`` seconds of sleep precede each timed call.
    ``clock=time.process_time`` measures CPU time (all threads) instead of wall time: steadier on a
    busy machine, but only comparable between contenders that use the same number of threads.
    ``reported=True``: each contender times itself and returns its milliseconds (e.g. a call that
    asks a worker process to run one step), so the round-robin logic is shared.
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(pairs):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            f = contenders[name]
            times[name].append(f() if reported else once_ms(f, settle, clock))
    return times


def ratio_of(times: dict, a: str, b: str) -> float:
    """Median of the paired ratios ``times[a][i] / times[b][i]`` (from :func:`paired_table`)."""
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


def peak_rss_mb(code_or_script: str, args: list[str] | None = None, env: dict | None = None) -> float:
    """Peak resident set size (MB) of a fresh Python process running ``code_or_script``.

    ``code_or_script`` is a path to a ``.py`` file or a string of Python code. The child reports its
    peak (``VmHWM`` from /proc/self/status; ``ru_maxrss`` where that is missing) when it finishes, so
    each engine is measured alone, without the parent's memory.
    """
    # VmHWM is the high-water mark of this process's own memory map; ru_maxrss is not: Linux carries
    # the parent's peak over fork+exec, so a child of a big benchmark would report the parent's size
    report = (
        "\nimport json as _j, resource as _r\n"
        "try:\n"
        "    _kb = [int(_l.split()[1]) for _l in open('/proc/self/status') if _l.startswith('VmHWM:')][0]\n"
        "except (OSError, IndexError):\n"
        "    _kb = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss\n"
        "print('__RSS__' + _j.dumps(_kb))\n"
    )
    if code_or_script.endswith(".py") and os.path.exists(code_or_script):
        path = os.path.abspath(code_or_script)
        # run the file as a script (its own argv, __file__ and folder), as `python script.py` would
        code = (
            f"import runpy, sys; sys.argv = {[path, *(args or [])]!r}; "
            f"sys.path.insert(0, {os.path.dirname(path)!r}); runpy.run_path({path!r}, run_name='__main__')\n"
        )
    else:
        code = code_or_script
    proc = subprocess.run(
        [sys.executable, "-c", code + report], capture_output=True, text=True, env=env, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("__RSS__"):
            return json.loads(line[len("__RSS__"):]) / 1024.0
    raise RuntimeError(
        f"peak_rss_mb: the child process failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}"
    )
