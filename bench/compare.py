"""Time this tree of sitegen against another commit's, on the same generated site.

Both trees build their own copy of one seeded site (bench/generate.py) in a temporary folder
outside the work tree: a clean production build, a no-op rebuild, a one-location edit and a
clean staging build with encryption, as bench/run.py times them. The two trees alternate
within each round (and which goes first alternates between rounds), so machine noise hits
both alike; the table gives the median wall seconds and peak RSS of each.

    python -m bench.compare --against 1d39db8 --size 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import write_site
from bench.run import REPO, STAGING, Sample, _edit_one_row, _run, build_env, machine, record

SCENARIOS = ("full", "noop", "edit", "staging")


def export(revision: str, into: Path) -> Path:
    """The tree of `revision`, unpacked (git archive) into `into`."""
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, check=True,
                             capture_output=True).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def one_round(code: Path, site: Path, out: Path, round_number: int
              ) -> dict[str, tuple[float, float]]:
    """The four scenarios with the sitegen of `code` (run from its own folder, so `-m
    sitegen` finds that tree first)."""
    env = build_env(out.parent / f"{code.name}-bytecode", code,
                    SITEGEN_STAGING_PASSWORD="bench-password", PYTHONPATH=str(code))
    sitegen = [sys.executable, "-m", "sitegen", "build", "--source", str(site)]
    for folder in (site / ".sitegen", site / "dist", out):
        shutil.rmtree(folder, ignore_errors=True)
    found = {}

    def run(name: str, args: list[str]) -> None:
        os.sync()
        found[name] = _run(args, env, cwd=code)

    run("full", [*sitegen, "--out", str(out / "production")])
    run("noop", [*sitegen, "--out", str(out / "production")])
    _edit_one_row(site, round_number)
    run("edit", [*sitegen, "--out", str(out / "production")])
    run("staging", [*sitegen, "--env", "staging", "--out", str(out / "staging")])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the commit to compare with")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sitegen-compare-", dir=args.tmp))
    try:
        trees = {args.against: export(args.against, work / "before"), "this tree": REPO}
        samples = {name: {s: Sample() for s in SCENARIOS} for name in trees}
        sites = {}
        for index, name in enumerate(trees):
            sites[name] = write_site(work / f"site-{index}", args.size)
            (sites[name] / "config" / "staging.yaml").write_text(STAGING, encoding="utf-8")
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                times = one_round(trees[name], sites[name], work / f"out-{name}",
                                  round_number)
                for scenario, result in times.items():
                    record(samples[name][scenario], result)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.size:,} locations, {args.rounds} rounds, alternating; {machine()}\n")
    print("| scenario | " + " | ".join(f"{name}: median s (runs) | peak RSS MB"
                                         for name in samples) + " |")
    print("|---|" + "---|---|" * len(samples))
    for scenario in SCENARIOS:
        cells = []
        for name in samples:
            sample = samples[name][scenario]
            runs = ", ".join(f"{s:.2f}" for s in sample.seconds)
            cells.append(f"{statistics.median(sample.seconds):.2f} ({runs}) | "
                         f"{max(sample.rss_mb):.0f}")
        print(f"| {scenario} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
