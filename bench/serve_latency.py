"""Edit-to-browser latency of `sitegen serve`: from saving a CSV edit to the page showing it.

For each dataset size it generates a seeded site (bench/generate.py) in a temporary folder
outside the work tree, starts `python -m sitegen serve --port 0` on it (the real CLI, as a
subprocess), opens the middle location's page in Debian's Chromium (Playwright), and then,
run after run, changes that location's phone number in locations/locations.csv and measures
the wall time from the file write to the new number being visible in the open page (watcher,
debounce, rebuild, Server-Sent Event, reload, render). It prints a markdown table with the
median over the runs and, for comparison, the server's own rebuild time from its log.

    python -m bench.serve_latency --sizes 1000,10000 --runs 5

The machine this runs on may be shared: compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from support.browser import launch, open_page  # noqa: E402
from support.serve import ServeProcess, location_url  # noqa: E402

from bench.generate import write_site  # noqa: E402
from bench.run import machine  # noqa: E402

SECONDS = re.compile(r"(\d+) pages in (\d+\.\d) s")
WAIT_MS = 900_000  # a full rebuild of 10,000 locations on a slow, shared machine


@dataclass
class Result:
    count: int
    pages: int = 0
    initial: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rebuilds: list[float] = field(default_factory=list)


def _phone_edit(csv_text: str, location_id: str, phone: str) -> bytes:
    reader = csv.DictReader(io.StringIO(csv_text))
    rows = list(reader)
    for row in rows:
        if row["id"] == location_id:
            row["phone"] = phone
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _last_build_seconds(server: ServeProcess, start: int) -> tuple[int, float]:
    for line in reversed(server.out[start:]):
        match = SECONDS.search(line)
        if match and line.startswith(("built:", "rebuilt:")):
            return int(match.group(1)), float(match.group(2))
    return 0, float("nan")


def bench_size(count: int, runs: int, work: Path, browser: object) -> Result:
    site = write_site(work / f"site-{count}", count)
    result = Result(count)
    data = site / "locations" / "locations.csv"
    location_id = f"GEN-{count // 2:05d}"
    started = time.perf_counter()
    with ServeProcess(site, ready_timeout=120) as server:
        server.wait_outcome(timeout=WAIT_MS / 1000)
        result.initial = time.perf_counter() - started
        result.pages, _ = _last_build_seconds(server, 0)
        path = location_url(server, location_id)
        with open_page(browser, server.url) as page:
            page.goto(server.url + path, timeout=120_000)
            page.wait_for_function("() => window.__sitegenLive === true")
            for run in range(runs):
                phone = f"(212) 555-{7000 + run:04d}"
                payload = _phone_edit(data.read_text(encoding="utf-8"), location_id, phone)
                before = len(server.outcomes())
                mark = len(server.out)
                t0 = time.perf_counter()
                data.write_bytes(payload)
                page.get_by_text(phone).first.wait_for(timeout=WAIT_MS)
                latency = time.perf_counter() - t0
                server.wait_outcome(before, timeout=60)
                _, rebuild = _last_build_seconds(server, mark)
                result.latencies.append(latency)
                result.rebuilds.append(rebuild)
                print(f"{count}: run {run + 1}/{runs}: {latency:.2f} s (rebuild {rebuild:.1f} s)",
                      file=sys.stderr)
                time.sleep(0.5)  # let the reloaded page settle before the next edit
        server.stop()
    return result


def table(results: list[Result], runs: int) -> str:
    lines = [f"Machine: {machine()}. Runs per size: {runs}.", "",
             "| locations | pages | first build + start s | edit → browser median s | "
             "runs (s) | server rebuild median s |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.count:,} | {r.pages:,} | {r.initial:.1f} | "
            f"{statistics.median(r.latencies):.2f} | "
            f"{', '.join(f'{s:.2f}' for s in r.latencies)} | "
            f"{statistics.median(r.rebuilds):.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sitegen-serve-bench-"))
    results = []
    try:
        with launch() as browser:
            for size in args.sizes.split(","):
                results.append(bench_size(int(size), args.runs, work, browser))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(results, args.runs))


if __name__ == "__main__":
    main()
