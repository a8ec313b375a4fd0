"""sitegen.forking: forked workers answer in order, their exceptions come back, and a worker
that dies is a diagnostic naming it, never a wait without end (real processes, real
signals)."""

from __future__ import annotations

import functools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from support.sites import REPO, generated_rows, run_cli, small_site

from sitegen.diagnostics import SitegenError
from sitegen.forking import ForkedCall, Spare, forked_map, reap


def _slow_square(n: int) -> int:
    time.sleep(0.02 * (n % 3))  # answers arrive out of order
    return n * n


def test_forked_map_gives_every_result_in_order() -> None:
    items = list(range(40))
    with forked_map(_slow_square, items, 3) as results:
        assert list(results) == [n * n for n in items]
    with forked_map(_slow_square, [], 2) as results:
        assert list(results) == []


def _fails_on_7(n: int) -> int:
    if n == 7:
        raise ValueError(f"item {n} is bad")
    return n


def test_a_task_exception_reaches_the_build_process_with_its_type() -> None:
    with forked_map(_fails_on_7, list(range(10)), 2) as results, \
            pytest.raises(ValueError, match="item 7 is bad") as caught:
        list(results)
    # The worker's traceback comes along as the cause (what a crash report shows).
    assert "in _fails_on_7" in str(caught.value.__cause__)


class _Odd(Exception):
    """An exception that pickles but cannot be unpickled (its __init__ wants two values)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def _raises_odd(_: int) -> int:
    raise _Odd("one", "two")


def test_an_exception_that_cannot_travel_arrives_as_what_it_said() -> None:
    with forked_map(_raises_odd, [1], 1) as results, \
            pytest.raises(RuntimeError, match="^_Odd: one and two$"):
        list(results)


def _unpicklable(_: int) -> object:
    return lambda: None


def test_a_result_that_cannot_be_pickled_is_the_pickling_error() -> None:
    with forked_map(_unpicklable, [1], 1) as results, \
            pytest.raises((AttributeError, TypeError, pickle.PicklingError), match="pickle"):
        list(results)


def _dies_on_3(n: int) -> int:
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
    return n


def test_a_worker_killed_mid_map_is_a_diagnostic_not_a_hang() -> None:
    started = time.monotonic()
    with forked_map(_dies_on_3, list(range(8)), 2) as results, \
            pytest.raises(SitegenError) as caught:
        list(results)
    assert time.monotonic() - started < 30
    [problem] = caught.value.diagnostics
    assert problem.message.startswith("a build process (pid ")
    assert problem.message.endswith("ended unexpectedly: killed by signal 9 (SIGKILL)")
    assert problem.hint is not None and "--jobs 1" in problem.hint


def test_forked_calls_here_in_a_new_process_and_in_a_spare() -> None:
    parent = os.getpid()
    with ForkedCall(os.getpid, parallel=False) as here:
        assert here.result() == parent
    with ForkedCall(os.getpid, parallel=True) as forked:
        assert forked.result() not in (parent, None)
    with Spare(parallel=True) as spare, ForkedCall(os.getpid, parallel=True, spare=spare) as call:
        assert call.result() != parent
    with Spare(parallel=True):
        pass  # an unused spare just stops


def test_a_call_that_borrows_the_spare_gives_it_back_and_one_that_takes_it_does_not() -> None:
    with Spare(parallel=True) as spare:
        with ForkedCall(os.getpid, parallel=True, spare=spare, borrow=True) as first:
            lent = first.result()
        with ForkedCall(os.getpid, parallel=True, spare=spare) as second:
            assert second.result() == lent  # the same process, answering again
        assert spare.take() is None  # taken for good by the second
    with Spare(parallel=True) as spare:
        with ForkedCall(os.getpid, parallel=True, spare=spare, borrow=True):
            pass  # closed before it answered: its process is killed, not given back
        assert spare.take() is None


def _events(path: Path, event: str) -> str:
    with path.open("a") as handle:
        handle.write(f"{event} {os.getpid()}\n")
    return event


def test_a_spare_answers_its_first_call_before_it_prepares_then_serves(tmp_path: Path) -> None:
    log = tmp_path / "log"
    with Spare(parallel=True, ready=functools.partial(_events, log, "ready"),
               first=functools.partial(_events, log, "first")) as spare:
        assert spare.first() == "first"
        with ForkedCall(os.getpid, parallel=True, spare=spare) as call:
            worker = call.result()
    events = log.read_text().split()
    assert events == ["first", str(worker), "ready", str(worker)]  # first, in that process
    assert worker != os.getpid()


def test_a_spare_s_first_call_raises_its_error_here_and_runs_here_without_processes() -> None:
    def fails() -> None:
        raise SitegenError([])

    with Spare(parallel=True, first=fails) as spare, pytest.raises(SitegenError) as raised:
        spare.first()
    assert "Traceback" in str(raised.value.__cause__)  # the spare's traceback travels with it
    with Spare(parallel=False, first=os.getpid) as here:
        assert here.first() == os.getpid()


def test_a_spare_is_not_lent_before_its_first_answer_is_taken() -> None:
    with Spare(parallel=True, first=os.getpid) as spare:
        with pytest.raises(AssertionError, match="first call is unanswered"):
            spare.take()
        spare.first()
        with pytest.raises(AssertionError, match="no first call"):
            spare.first()
        assert spare.take() is not None


def test_the_build_s_spare_answers_its_calls_without_importing_the_build_s_stages() -> None:
    """`sitegen build` forks the spare before it imports the build (builder/spare.py): the
    calls it is sent, nearby and the near-duplicate comparison, unpickle without importing
    the stages (their libraries' shared objects would be in its memory map)."""
    script = textwrap.dedent("""
        import functools, sys
        from sitegen.builder.spare import spare_process
        from sitegen.forking import ForkedCall
        from sitegen.audit.duplicates import _findings
        from sitegen.model.nearby import neighbours
        assert "pydantic_core" not in sys.modules and "markupsafe" not in sys.modules
        calls = [functools.partial(neighbours, [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)], 1),
                 functools.partial(_findings, [{"a": b"", "b": b""}], 0.9)]
        with spare_process(parallel=True) as spare:
            for call in calls:
                with ForkedCall(call, parallel=True, spare=spare, borrow=True) as forked:
                    forked.result()
            (worker,) = spare.take()
            with open(f"/proc/{worker.process.pid}/maps") as handle:
                print(handle.read())
    """)
    maps = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=REPO, timeout=120).stdout
    assert "_multiarray_umath" in maps  # numpy, imported by the spare
    assert "pydantic_core" not in maps and "markupsafe" not in maps and "nh3" not in maps


def _children() -> set[int]:
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


def test_a_closed_worker_is_killed_at_once_and_gone_once_reaped() -> None:
    with Spare(parallel=True) as spare, \
            ForkedCall(os.getpid, parallel=True, spare=spare) as call:
        worker = call.result()
    assert worker in _children() or not Path(f"/proc/{worker}").exists()  # killed, or gone
    reap()
    assert worker not in _children()


def test_a_build_leaves_none_of_its_processes_behind(tmp_path: Path) -> None:
    """They share the output lock while they live: a build waits for them before it lets
    go of it, so the next build finds it free."""
    site = small_site(tmp_path / "site", generated_rows(30))
    before = _children()
    built = run_cli("build", "--source", site, "--jobs", "2")
    assert built.returncode == 0, str(built)
    assert _children() <= before


def test_a_killed_forked_call_is_a_diagnostic() -> None:
    with ForkedCall(lambda: os.kill(os.getpid(), signal.SIGKILL), parallel=True) as call, \
            pytest.raises(SitegenError, match="killed by signal 9"):
        call.result()


def test_closing_kills_workers_at_once_whatever_they_are_doing() -> None:
    started = time.monotonic()
    with forked_map(time.sleep, [60, 60], 2) as results:
        del results  # the block ends without taking a result
    with Spare(parallel=True) as spare, ForkedCall(functools.partial(time.sleep, 60), parallel=True,
                                                   spare=spare):
        pass
    assert time.monotonic() - started < 20


def test_workers_end_when_the_build_process_is_killed(tmp_path: Path) -> None:
    """A build process killed with SIGKILL (nothing of it runs again) leaves no worker
    behind, busy or idle: each would keep the build's inherited files open (its output
    lock)."""
    script = textwrap.dedent("""
        import functools, os, signal, time
        from sitegen.forking import ForkedCall, Spare, forked_map, reap
        spare = Spare(parallel=True)  # idle
        busy = ForkedCall(functools.partial(time.sleep, 60), parallel=True)
        with forked_map(time.sleep, [60, 60, 60, 60, 60], 2) as results:
            me = os.getpid()
            with open(f"/proc/{me}/task/{me}/children") as children:
                print(children.read(), flush=True)
            os.kill(me, signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert done.returncode == -signal.SIGKILL
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) == 4, done.stdout
    deadline = time.monotonic() + 10
    while (alive := [pid for pid in workers if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
