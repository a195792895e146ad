"""BlasThreads: the BLAS thread limit follows what trains fastest, and is checked again when steps slow."""

import pytest

from nn import _threads

pytest.importorskip("threadpoolctl")


def run(threads, seconds_for):
    """Feed ``threads`` steps that take ``seconds_for(n)`` seconds under limit n (a fake clock)."""
    now = [0.0]
    used = []

    def step():
        with threads.step() as n:
            used.append(n)
        now[0] += seconds_for(n)
        threads._record(seconds_for(n), now[0])

    return step, used


def fake(most=2):
    threads = _threads.BlasThreads()
    threads.settings = [1, most]  # as if BLAS had `most` threads, whatever this machine has
    threads._trying = [1, most]
    threads.threads = 1
    threads.step = _timed_step_without_clock(threads)
    return threads


def _timed_step_without_clock(threads):
    import contextlib

    @contextlib.contextmanager
    def step():
        yield threads.threads

    return step


def test_a_quiet_machine_keeps_all_threads():
    threads = fake()
    step, used = run(threads, lambda n: 0.5 if n == 2 else 0.8)
    for _ in range(20):
        step()
    assert used[-10:] == [2] * 10
    assert used.count(1) <= 3  # the warm-up step and one comparison's two steps at 1 thread


def test_a_busy_machine_drops_to_one_thread_after_one_slow_step():
    threads = fake()
    step, used = run(threads, lambda n: 15.0 if n == 2 else 0.7)  # spin-waiting threads
    for _ in range(12):
        step()
    assert used[-8:] == [1] * 8
    assert used.count(2) == 1  # one step at 2 threads, 21 times slower: dropped at once


def test_when_the_load_goes_away_the_next_check_restores_the_threads():
    threads = fake()
    busy = [True]
    step, used = run(threads, lambda n: (15.0 if n == 2 else 0.7) if busy[0] else (0.5 if n == 2 else 0.8))
    for _ in range(10):
        step()
    assert used[-1] == 1
    busy[0] = False
    for _ in range(200):  # more than _FIRST_CHECK seconds of steps
        step()
    assert used[-1] == 2


def test_the_limit_applies_to_numpys_blas_during_the_step_only():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    threads = _threads.BlasThreads()
    threads.threads = 1
    with threads.step():
        inside = blas_threads()
    assert blas_threads() == before
    if before and max(before) > 1:
        assert inside == [1] * len(before)
