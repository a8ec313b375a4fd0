"""Where a cold sitegen production build of the chain-like dataset spends its time (issue 22).

    pip install py-spy        # a profiler, not a dependency of sitegen
    python -m bench.chain_profile --size 10000 --where disk

Generates the site with bench/chain.py in a temporary folder outside the work tree and
records `python -m sitegen build --env production` (no `.sitegen/` yet: a cold build) with
`py-spy record --subprocesses --native --nolineno --format raw`: the build, its render
workers and its forked helper processes alike, with the C calls (libc's open64, mkdir ...)
as frames. It prints, for every process, its working seconds by cost (creating files and
folders, writing them, JSON, rendering, Markdown, the near-duplicate check, nearby, loading
and validating, the model ...) and the seconds its threads only waited, then the leaf
frames with the most samples over all processes. `--keep` keeps the folder with the raw
stacks (one line per stack, for a flame graph). Sampling slows the build: compare the
shares, not the seconds, with bench/hugo_compare.py's timings.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from bench.chain import write_site
from bench.run import build_env

REPO = Path(__file__).resolve().parents[1]
PLACES = {"disk": None, "tmpfs": Path("/dev/shm")}
# Frames of a thread that waits (for tasks, results, a pipe or a child): not work.
WAITING = ("select (", "_recv (", "recv_bytes (", "_handle_tasks (", "_handle_results (",
           "_handle_workers (", ".wait (", "sleep (", "waitpid", "epoll_wait", "join (",
           "Queue.get (", "poll (")
# (cost, words looked for in a frame): the frame nearest the leaf that matches names a
# sample. Native frames (libc's open64, mkdir ...) come first, as py-spy --native sees them.
COSTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("create files and folders", ("open64 (", "openat", "mkdir", "makedirs", "link (",
                                  "linkat", "symlink", "rename", "fstatat", "stat64 (")),
    ("write and close files", ("write (libc", "__write", "writev", "close (libc", "fsync",
                               "ftruncate")),
    ("remove files", ("rmtree", "unlink", "rmdir")),
    ("garbage collector", ("gc_collect",)),
    ("near-duplicate check", ("similarity",)),
    ("nearby", ("nearby",)),
    ("JSON", ("orjson", "json/encoder", "jsontext", "dumps (")),
    ("Markdown", ("sitegen/markup", "cmark", "nh3")),
    ("render templates", ("jinja2", "markupsafe", "render.py", "fragments", "<template>")),
    ("audit and guards", ("audit", "guards")),
    ("feeds and markers", ("feeds", "markers")),
    ("load and validate rows", ("locations.py", "phones", "hours", "phonenumbers", "csv")),
    ("model", ("model", "urls", "places", "intro", "seo", "ctas", "memo")),
    ("hashing and cache", ("fingerprint", "cache", "manifest", "hashlib", "pickle")),
    ("imports and start", ("importlib._bootstrap", "dataclasses", "pycountry")),
)


def cost_of(stack: list[str]) -> str:
    if any(word in frame for frame in stack[-8:] for word in WAITING):
        return "waiting"
    for frame in reversed(stack):
        for cost, words in COSTS:
            if any(word in frame for word in words):
                return cost
    return "other"


def read_raw(path: Path) -> dict[str, list[tuple[list[str], int]]]:
    """Samples of py-spy's raw output grouped by process (the innermost `process PID:...`
    frame: forked processes nest under their parent): (frames root first, count)."""
    processes: dict[str, list[tuple[list[str], int]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack_text.split(";")
        marks = [i for i, frame in enumerate(frames) if frame.startswith("process ")]
        process = frames[marks[-1]].split(":")[0] if marks else "process ?"
        processes[process].append((frames[marks[-1] + 1 if marks else 0:], int(count)))
    return processes


def summary(processes: dict[str, list[tuple[list[str], int]]], rate: int, top: int) -> str:
    """Per process: its working seconds by cost; then the leaf frames with the most samples."""
    lines = []
    own: Counter[str] = Counter()
    everything: Counter[str] = Counter()
    for process, samples in processes.items():
        costs: Counter[str] = Counter()
        for stack, count in samples:
            cost = cost_of(stack)
            costs[cost] += count
            if stack and cost != "waiting":
                own[stack[-1]] += count
        everything.update(costs)
        waiting = costs.pop("waiting", 0)
        parts = ", ".join(f"{cost} {count / rate:.1f}" for cost, count in costs.most_common(8))
        lines.append((sum(costs.values()), f"- {process}: {sum(costs.values()) / rate:.1f} s "
                      f"working ({waiting / rate:.1f} s waiting): {parts}"))
    out = [line for _, line in sorted(lines, reverse=True)]
    everything.pop("waiting", None)
    out += ["", "All processes: " + ", ".join(
        f"{cost} {count / rate:.1f} s" for cost, count in everything.most_common()), "",
        f"Leaf frames with the most samples over all processes (s, top {top}):"]
    out += [f"  {count / rate:6.2f}  {frame}" for frame, count in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--where", choices=sorted(PLACES), default="disk")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--rate", type=int, default=100, help="samples a second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        parser.error("py-spy is not installed: pip install py-spy")
    work = Path(tempfile.mkdtemp(prefix="sitegen-profile-", dir=PLACES[args.where]))
    try:
        site = write_site(work / "site", args.size, args.seed)
        raw = work / "stacks.txt"
        env = build_env(work)
        subprocess.run(["py-spy", "record", "--subprocesses", "--native", "--nolineno",
                        "--format", "raw",
                        "--rate", str(args.rate), "--output", str(raw), "--",
                        sys.executable, "-m", "sitegen", "build", "--env", "production",
                        "--source", str(site), "--out", str(work / "out")],
                       cwd=REPO, check=True, env=env)
        print(summary(read_raw(raw), args.rate, args.top))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
