"""Process pools forked from the build process, which inherit its data instead of pickling it."""

from __future__ import annotations

import gc
import multiprocessing
from typing import Any


def forked_pool(processes: int) -> Any:
    """A pool of processes forked from this one, with the garbage collector's view of the
    parent's objects frozen first: a collection in a child otherwise walks (and so writes to)
    every inherited object, copying the parent's whole heap page by page; at 10,000
    locations that was about 2 s of system time per build."""
    gc.freeze()
    try:
        # The children collect their own garbage (rendering makes cycles) even while the
        # build process holds its collector off (build.py).
        return multiprocessing.get_context("fork").Pool(processes, initializer=gc.enable)
    finally:
        gc.unfreeze()
