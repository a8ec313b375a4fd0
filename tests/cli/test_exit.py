"""How the `sitegen` process ends (cli.run): the command's status and every line of its
output, atexit handlers run, and the usual exit when a command leaves a thread running."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.sites import REPO, clean_env, generated_rows, run_cli, run_process, small_site

# `cli.run` with a handler registered the way a library registers one, and optionally a
# thread still running when the command returns (the usual exit waits for it).
PROBE = textwrap.dedent("""
    import atexit, sys, threading, time
    atexit.register(lambda: print("atexit handler ran", flush=True))
    if "--thread" in sys.argv:
        sys.argv.remove("--thread")
        threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
    from sitegen.cli import run
    run()
""")


def _probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, env=clean_env(None), cwd=REPO, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_a_build_ends_with_its_status_and_all_its_output(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(3))
    done = run_process("build", "--env", "production", "--source", site,
                       "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("3 rows read, 3 locations built")
    broken = run_process("build", "--env", "nosuchenv", "--source", site,
                         "--out", tmp_path / "out2")
    assert broken.returncode == 1
    assert "nosuchenv" in broken.stderr


def test_atexit_handlers_run_and_the_status_is_kept() -> None:
    done = _probe("--version")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0], "atexit handler ran"]
    assert done.stdout.startswith("sitegen, version ")
    usage = _probe("build", "--no-such-flag")
    assert usage.returncode == 2
    assert "Error: No such option '--no-such-flag'." in usage.stderr
    assert usage.stdout == "atexit handler ran\n"


def test_a_thread_left_running_is_waited_for() -> None:
    done = _probe("--thread", "--version")
    assert done.returncode == 0
    assert "thread done" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == "atexit handler ran"


def test_a_profiled_run_writes_its_profile(tmp_path: Path) -> None:
    profile = tmp_path / "sitegen.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m",
                           "sitegen", "--version"], capture_output=True, text=True,
                          env=clean_env(None), cwd=REPO, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sitegen, version ")
    import pstats
    stats = pstats.Stats(str(profile))
    assert any(name == "run" and file.endswith("cli.py")
               for file, _, name in stats.stats)  # type: ignore[attr-defined]


def test_a_killed_build_process_fails_the_build_and_keeps_the_output(tmp_path: Path) -> None:
    """Every process the build forks is killed at once (the out-of-memory killer's way):
    the build stops with the diagnostic, promptly, and the previous output stays."""
    site = small_site(tmp_path / "site", generated_rows(5))
    out = tmp_path / "out"
    args = ["build", "--env", "production", "--source", str(site), "--out", str(out), "--force",
            "--jobs", "2"]
    assert run_process(*args).returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    env = clean_env({"PYTHONPATH": f"{REPO / 'tests'}{os.pathsep}{REPO}"})
    killed = subprocess.run([sys.executable, "-c", KILL_FORKS, *args], capture_output=True,
                            text=True, env=env, cwd=REPO, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert killed.returncode == 1, killed.stderr
    assert re.search(r"^sitegen: a build process \(pid \d+\) ended unexpectedly: killed by "
                     r"signal 9 \(SIGKILL\) \(the usual cause is the system running out of "
                     r"memory .*: build with --jobs 1 or on a machine with more memory; the "
                     r"previous output is unchanged\)$", killed.stderr, re.MULTILINE), \
        killed.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


KILL_FORKS = "from support import killforks; killforks.main()"


def test_an_in_process_build_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    """The build command holds the cyclic collector off (imports and build) and turns it
    back on: a program that calls the command in-process keeps collecting."""
    import gc

    site = small_site(tmp_path / "site", generated_rows(3))
    assert gc.isenabled()
    done = run_cli("build", "--env", "production", "--source", site, "--out", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    assert gc.isenabled()
    gc.disable()
    try:
        run_cli("build", "--env", "production", "--source", site, "--out", tmp_path / "o2")
        assert not gc.isenabled()
    finally:
        gc.enable()
