"""Time Hugo and sitegen building the same chain-like site, alternating (issue 22).

    python -m bench.hugo_compare --setup        # installs Debian's hugo package if absent
    python -m bench.hugo_compare --size 10000 --runs 3 --where disk
    python -m bench.hugo_compare --size 10000 --runs 3 --where tmpfs

Untimed first: bench/chain.py writes the sitegen site and bench/hugo_site.py the same rows as
a Hugo site (with the 5 nearest, the parsed hours and the phone formats precomputed, which
favours Hugo), both in one temporary folder outside the work tree: the system's temporary
folder for `disk`, /dev/shm for `tmpfs`. Then, for each run, Hugo and then sitegen build
into a fresh output folder in the same place, each started after `os.sync()`:

- `hugo --source HUGO_SITE --destination OUT --cacheDir FRESH --quiet`;
- `python -m sitegen build --env production --source SITE --out OUT` from this work tree,
  with the site's `.sitegen/` removed first: a cold build, as in CI from a fresh clone
  (nothing cached: rows, pages or near-duplicate findings), rather than `--force`.

Reported per build: the median and every run's wall seconds, the sitegen/Hugo ratio of each
pair, CPU seconds (user + system of the process and its children), peak RSS of the largest
process (`wait4`) and of the whole process tree (resident pages of the build and all its
descendants, summed, sampled every 0.1 s; pages shared by forked workers count once per
process), and the files and bytes each build wrote.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/hugo_compare.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.chain import chain_locations, write_site  # noqa: E402
from bench.hugo_site import write_hugo_site  # noqa: E402
from bench.run import build_env, machine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PLACES = {"disk": None, "tmpfs": Path("/dev/shm")}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    rss_mb: float
    tree_mb: float


@dataclass(frozen=True)
class Output:
    files: int
    megabytes: float
    detail_pages: int
    detail_kb: float  # median size of a location's page


@dataclass
class Builds:
    runs: dict[str, list[Run]] = field(default_factory=lambda: {"hugo": [], "sitegen": []})
    outputs: dict[str, Output] = field(default_factory=dict)


def setup() -> None:
    """Install Debian's hugo package when no `hugo` is on the PATH (the benchmark's own
    setup step: never part of a test command)."""
    install = ["apt-get", "install", "-y", "hugo"]
    if shutil.which("hugo") is None and subprocess.run(install, check=False).returncode:
        subprocess.run(["apt-get", "update"], check=True)  # the package lists may be stale
        subprocess.run(install, check=True)
    print(hugo_version())


def hugo_version() -> str:
    text = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True).stdout
    return text.split()[1].split("+")[0] if text.startswith("hugo v") else text.strip()


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants now."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def measure(args: list[str], env: dict[str, str], log: Path) -> Run:
    """Wall and CPU seconds and peak RSS of one build, as a whole process."""
    peak = [0]
    with open(log, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{log.read_text(errors='replace')[-4000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               peak[0] / 2**20)


def output_stats(folder: Path) -> Output:
    files, size, details = 0, 0, []
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    for page in (folder / "locations").glob("*/*/*/index.html"):
        if page.parts[-4] not in {"list", "cards", "map"}:
            details.append(page.stat().st_size)
    return Output(files, size / 2**20, len(details),
                  statistics.median(details) / 1024 if details else 0.0)


def compare(size: int, runs: int, work: Path, seed: int) -> Builds:
    started = time.perf_counter()
    locations = chain_locations(size, seed)
    site = write_site(work / "site", size, seed, locations)
    hugo_site = write_hugo_site(work / "hugo", locations)
    print(f"generated both sites in {time.perf_counter() - started:.1f} s (untimed)",
          file=sys.stderr)
    env = build_env(work)
    builds = Builds()
    for number in range(1, runs + 1):
        for name in ("hugo", "sitegen"):
            out = work / "out" / f"{name}-{number}"
            cache = work / "hugo-cache"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(site / ".sitegen", ignore_errors=True)
            args = (["hugo", "--source", str(hugo_site), "--destination", str(out),
                     "--cacheDir", str(cache), "--quiet"] if name == "hugo" else
                    [sys.executable, "-m", "sitegen", "build", "--env", "production",
                     "--source", str(site), "--out", str(out)])
            os.sync()
            run = measure(args, env, work / f"{name}-{number}.log")
            builds.runs[name].append(run)
            if name not in builds.outputs:
                builds.outputs[name] = output_stats(out)
            shutil.rmtree(out)
            print(f"run {number}/{runs}: {name} {run.seconds:.2f} s", file=sys.stderr)
    return builds


def report(size: int, where: str, work: Path, builds: Builds) -> str:
    hugo, sitegen = builds.runs["hugo"], builds.runs["sitegen"]
    label = {"hugo": f"Hugo {hugo_version()}", "sitegen": "sitegen production build (cold)"}
    lines = [f"### {size:,} chain-like locations, {where} ({work.parent}), "
             f"{len(hugo)} alternating pairs", "",
             f"Machine: {machine()}, load average {os.getloadavg()[0]:.1f} at the end.", "",
             "| build | median s | runs (s) | CPU s (median) | peak RSS, largest process MB "
             "| peak RSS, process tree MB | files | MB written | location pages | median "
             "location page KB |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, runs in builds.runs.items():
        out = builds.outputs[name]
        lines.append(
            f"| {label[name]} | {statistics.median(r.seconds for r in runs):.2f} "
            f"| {', '.join(f'{r.seconds:.2f}' for r in runs)} "
            f"| {statistics.median(r.cpu for r in runs):.1f} "
            f"| {max(r.rss_mb for r in runs):.0f} | {max(r.tree_mb for r in runs):.0f} "
            f"| {out.files:,} | {out.megabytes:.0f} | {out.detail_pages:,} "
            f"| {out.detail_kb:.1f} |")
    ratios = [s.seconds / h.seconds for h, s in zip(hugo, sitegen, strict=True)]
    median_ratio = (statistics.median(r.seconds for r in sitegen)
                    / statistics.median(r.seconds for r in hugo))
    cpu_ratio = (statistics.median(r.cpu for r in sitegen)
                 / statistics.median(r.cpu for r in hugo))
    lines += ["", f"sitegen / Hugo, wall: {median_ratio:.2f}x (medians); pairs "
              + ", ".join(f"{ratio:.2f}x" for ratio in ratios)
              + f". CPU: {cpu_ratio:.2f}x (medians)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", action="store_true", help="install hugo if absent, then stop")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--where", choices=sorted(PLACES), default="disk")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--keep", action="store_true", help="keep the generated sites")
    args = parser.parse_args()
    if args.setup:
        setup()
        return
    if shutil.which("hugo") is None:
        parser.error("hugo is not installed: run `python -m bench.hugo_compare --setup` first")
    work = Path(tempfile.mkdtemp(prefix="sitegen-hugo-", dir=PLACES[args.where]))
    if work.resolve().is_relative_to(REPO):
        parser.error(f"{work} is inside the work tree: set TMPDIR elsewhere")
    try:
        builds = compare(args.size, args.runs, work, args.seed)
        print(report(args.size, args.where, work, builds))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
