"""Time sitegen as whole processes and write docs/benchmarks.md.

For each dataset size it generates a seeded site (bench/generate.py) in a temporary folder
outside the work tree, then runs, alternating within each round so machine noise hits every
scenario alike: the plain jinja2 + Python-Markdown script (bench/baseline.py) rendering
comparable pages and, for continuity with earlier runs, minimal ones; a clean production
build, a no-op rebuild, a one-location edit, and a clean staging build with encryption. It
reports medians over the rounds, the ratios to both scripts and to the full build, and the
peak RSS of the largest process.

    python -m bench.run --sizes 1000,10000 --rounds 3
    python -m bench.run --sizes 100000 --rounds 1 --scenarios baseline,full --append
    python -m bench.run --sizes 10000 --tmp /dev/shm   # on tmpfs: the CPU work without the disk
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import write_site

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
STAGING = "protection:\n  mode: encrypt\nbase_url: https://staging.example.com\n"
SCENARIOS = ("baseline", "minimal", "full", "noop", "edit", "staging")


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def _run(args: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process and the children it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def _edit_one_row(site: Path, round_number: int) -> None:
    """Change one location's phone number, differently in each round."""
    path = site / "locations" / "locations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[len(rows) // 2]["phone"] = f"(212) 555-{1000 + round_number:04d}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def bench_size(count: int, rounds: int, work: Path,
               scenarios: tuple[str, ...] = SCENARIOS) -> dict[str, Sample]:
    site = write_site(work / f"site-{count}", count)
    (site / "config" / "staging.yaml").write_text(STAGING, encoding="utf-8")
    env = build_env(work, SITEGEN_STAGING_PASSWORD="bench-password")
    sitegen = [sys.executable, "-m", "sitegen", "build", "--source", str(site)]
    out = work / f"out-{count}"
    samples = {name: Sample() for name in scenarios}

    def run(name: str, args: list[str]) -> None:
        if name in samples:
            # Each timed process starts with the previous one's writes flushed: otherwise
            # the kernel writes back 100,000 files of the last scenario during the next one.
            os.sync()
            record(samples[name], _run(args, env))

    def clean() -> None:
        shutil.rmtree(site / ".sitegen", ignore_errors=True)
        shutil.rmtree(site / "dist", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    for round_number in range(rounds):
        clean()
        run("baseline", [sys.executable, "-m", "bench.baseline", str(site),
                         str(out / "baseline")])
        run("minimal", [sys.executable, "-m", "bench.baseline", str(site),
                        str(out / "minimal"), "--pages", "minimal"])
        run("full", [*sitegen, "--out", str(out / "production")])
        run("noop", [*sitegen, "--out", str(out / "production")])
        _edit_one_row(site, round_number)
        run("edit", [*sitegen, "--out", str(out / "production")])
        run("staging", [*sitegen, "--env", "staging", "--out", str(out / "staging")])
        print(f"{count}: round {round_number + 1}/{rounds} done", file=sys.stderr)
    clean()
    return samples


def record(sample: Sample, result: tuple[float, float]) -> None:
    sample.seconds.append(result[0])
    sample.rss_mb.append(result[1])


def build_env(work: Path, code: Path = REPO, **extra: str) -> dict[str, str]:
    """The environment of every timed sitegen process: as after `pip install sitegen`, whose
    modules are compiled to bytecode at install. This work tree's modules are compiled once,
    untimed, into `work/pycache` (PYTHONPYCACHEPREFIX), never into the work tree (`code`: the
    sitegen tree the runs import, this one unless a comparison says otherwise); a shell
    with PYTHONDONTWRITEBYTECODE set would otherwise compile every module again in every
    run (about 0.3 s of each build's start-up on this machine)."""
    env = {**os.environ, "CI": "1", **extra, "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    for name in ("SITEGEN_ENV", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "sitegen")],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        mem_gb = int(memory.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gb = 0.0
    return (f"{model}, {len(os.sched_getaffinity(0))} cores, {mem_gb:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


LABELS = {
    "baseline": "plain jinja2 + Markdown script, 2 processes, comparable pages",
    "minimal": "the same script, minimal pages (the comparator until the sixth session)",
    "full": "sitegen full production build",
    "noop": "sitegen no-op rebuild",
    "edit": "sitegen one-location edit",
    "staging": "sitegen staging build (encrypted)",
}


def table(count: int, samples: dict[str, Sample]) -> str:
    def ratio(median: float, name: str) -> str:
        if name not in samples:
            return "—"
        return f"{median / statistics.median(samples[name].seconds):.2f}x"

    lines = [f"### {count:,} locations", "",
             "| scenario | median s | runs (s) | vs comparable script | vs minimal script "
             "| vs full build | peak RSS MB |",
             "|---|---|---|---|---|---|---|"]
    for name in SCENARIOS:
        if name not in samples:
            continue
        sample = samples[name]
        median = statistics.median(sample.seconds)
        runs = ", ".join(f"{s:.2f}" for s in sample.seconds)
        lines.append(f"| {LABELS[name]} | {median:.2f} | {runs} | {ratio(median, 'baseline')} "
                     f"| {ratio(median, 'minimal')} | {ratio(median, 'full')} "
                     f"| {max(sample.rss_mb):.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--append", action="store_true", help="add to docs/benchmarks.md")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="a subset, e.g. baseline,full for a quick 100,000 run")
    parser.add_argument("--tmp", type=Path, default=None,
                        help="where to make the temporary folder (default: the system's)")
    args = parser.parse_args()
    scenarios = tuple(name for name in SCENARIOS if name in args.scenarios.split(","))
    if {"noop", "edit"} & set(scenarios) and "full" not in scenarios:
        parser.error("noop and edit follow the full build: add full to --scenarios")
    work = Path(tempfile.mkdtemp(prefix="sitegen-bench-", dir=args.tmp))
    try:
        sections = [table(int(size), bench_size(int(size), args.rounds, work, scenarios))
                    for size in args.sizes.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (f"## Run of {stamp}\n\nMachine: {machine()}. Rounds: {args.rounds}; "
            f"scenarios alternate within each round; output under {work.parent}.\n\n"
            + "\n".join(sections))
    if args.append and DOC.is_file():
        DOC.write_text(DOC.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    else:
        print(body)


if __name__ == "__main__":
    main()
