"""CPU seconds of the build stages issue 22 bounds, on the chain-like dataset, in-process.

    python -m bench.chain_stages --size 10000 --rounds 3

Generates the site with bench/chain.py in a temporary folder outside the work tree (untimed),
builds it once with `python -m sitegen build --env production` (untimed) and then times, in
this process and with `time.process_time()` (CPU seconds, so a busy machine inflates them
less than wall time), the median of `--rounds` runs of:

- the model: reading, mapping and validating the rows (one process), placing the locations
  (slugs, URLs) and the rest of the model (hubs, pages, nearby), as `sitegen build` does;
- nearby alone (`model.nearby.neighbours` over the locations' coordinates);
- the near-duplicate comparison (`audit.similarity.near_duplicates`) over the editorial
  shingles of the built location pages, as the audit takes them (`audit.pages.audit_page`),
  with the pairs it found.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/chain_stages.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.chain import write_site  # noqa: E402
from sitegen.audit.pages import audit_page  # noqa: E402
from sitegen.audit.similarity import near_duplicates  # noqa: E402
from sitegen.builder.dataset import load_dataset
from sitegen.builder.run import planning_run  # noqa: E402
from sitegen.builder.stages import build_site_model  # noqa: E402
from sitegen.config.load import load_config  # noqa: E402
from sitegen.config.policy import resolve_policy  # noqa: E402
from sitegen.diagnostics import Report  # noqa: E402
from sitegen.model.nearby import neighbours  # noqa: E402
from sitegen.model.site import place  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def cpu(task: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.process_time()
    result = task()
    return time.process_time() - started, result


def model_stages(site: Path) -> dict[str, float]:
    loaded = load_config(site, "production")
    policy = resolve_policy(loaded)
    report = Report()
    run = planning_run(loaded, policy, report)
    seconds: dict[str, float] = {}
    seconds["load and validate rows"], dataset = cpu(lambda: load_dataset(run, report))
    seconds["place (slugs, URLs)"], placed = cpu(
        lambda: place(loaded.config, policy, dataset.locations))
    seconds["rest of the model (hubs, pages, nearby)"], _ = cpu(
        lambda: build_site_model(run, placed, report))
    points = [(loc.lat, loc.lng) for loc in placed.locations]
    seconds["nearby alone"], _ = cpu(lambda: neighbours(points, loaded.config.nearby.count))
    return seconds


def editorial_docs(out: Path, policy: Any) -> dict[str, bytes]:
    docs = {}
    for path in sorted((out / "locations").rglob("index.html")):
        rel = path.relative_to(out).as_posix()
        audit = audit_page(rel, path.read_text(encoding="utf-8"), policy)
        if audit.editorial:
            docs[rel] = audit.editorial
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sitegen-stages-"))
    if work.resolve().is_relative_to(REPO):
        parser.error(f"{work} is inside the work tree: set TMPDIR elsewhere")
    try:
        site = write_site(work / "site", args.size, args.seed)
        out = work / "out"
        subprocess.run([sys.executable, "-m", "sitegen", "build", "--env", "production",
                        "--source", str(site), "--out", str(out)], check=True, cwd=REPO,
                       env={**os.environ, "CI": "1"}, capture_output=True)
        policy = resolve_policy(load_config(site, "production"))
        docs = editorial_docs(out, policy)
        threshold = load_config(site, "production").config.audit.near_duplicate_threshold
        runs: dict[str, list[float]] = {}
        pairs: list[tuple[str, str, float]] = []
        for _ in range(args.rounds):
            for name, value in model_stages(site).items():
                runs.setdefault(name, []).append(value)
            seconds, pairs = cpu(lambda: near_duplicates(docs, threshold))
            runs.setdefault("near-duplicate comparison", []).append(seconds)
        print(f"{args.size:,} chain-like locations, {len(docs):,} pages with editorial text, "
              f"{args.rounds} rounds, load average {os.getloadavg()[0]:.1f}\n")
        print("| stage | CPU s (median) | runs |\n|---|---|---|")
        for name, values in runs.items():
            print(f"| {name} | {statistics.median(values):.2f} | "
                  f"{', '.join(f'{v:.2f}' for v in values)} |")
        print(f"\nnear-duplicate pairs found: {len(pairs)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
