"""The sitegen CLI with every process it forks killed at once by SIGKILL, as the kernel's
out-of-memory killer ends a worker: `python -c "from support import killforks;
killforks.main()" ARGS...` with tests/ on PYTHONPATH (tests/cli/test_exit.py)."""

from __future__ import annotations

import os
import signal


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    os.register_at_fork(after_in_child=_killed)
    from sitegen.cli import run
    run()
