"""Lighthouse scores of the example site: five page types, mobile and desktop.

    python bench/lighthouse.py [--runs N] [--keep DIR]

Installs the npm package `lighthouse@12` (once) into `$XDG_CACHE_HOME/sitegen-bench/lighthouse`
(else `~/.cache/...`), outside the work tree; it runs on Node 20 against Debian's Chromium
(`CHROME_PATH=/usr/bin/chromium`) and downloads no browser. Then it builds the example site's
production environment into a temporary folder, serves it on 127.0.0.1 the way a static
host does (gzip for text, long cache lifetimes for the hashed `/_assets/`), and runs
Lighthouse on the home page, /locations/, the Map view, a region hub and a location page,
at its mobile (default) and desktop settings, printing the four category scores and the
cumulative layout shift of each, and what kept a category below 100.

The build is the production build with three settings a benchmark needs (given as
environment variables, as a CI would): `base_url` is the local server, so canonical URLs and
the sitemap are those of the served site (Lighthouse's SEO audit reads them); map tiles come
from the same local server (`/_tiles/{z}/{x}/{y}.png`, one neutral tile), because tiles from
the internet fail offline and every failed request is a console error that costs
best-practices points; and third-party analytics is off (it is not the theme that is being
measured, and its script is not reachable offline). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.builder.pipeline import build  # noqa: E402
from sitegen.builder.run import BuildOptions  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "home": "/",
    "locations": "/locations/",
    "map": "/locations/map/",
    "hub": "/locations/us/ca/",
    "location": "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TEXT_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml",
              "application/geo+json", "application/xml")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sitegen-bench" / "lighthouse"


def lighthouse_bin() -> Path:
    """The lighthouse CLI, installed with npm into the cache folder on first use."""
    root = cache_root()
    binary = root / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        root.mkdir(parents=True, exist_ok=True)
        if not (root / "package.json").exists():
            (root / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(root),
                        "lighthouse@12"], check=True)
    return binary


def tile_png() -> bytes:
    """One neutral 256x256 map tile: a light ground with a faint grid."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (232, 228, 218))
    draw = ImageDraw.Draw(image)
    for at in (0, 128):
        draw.line([(at, 0), (at, 255)], fill=(222, 217, 205))
        draw.line([(0, at), (255, at)], fill=(222, 217, 205))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class HostHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: gzip for text, immutable caching for hashed assets, local tiles."""

    tile = b""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass

    def end_headers(self) -> None:
        if self.path.startswith(("/_assets/", "/_tiles/")):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "public, max-age=600")
        super().end_headers()

    def handle(self) -> None:
        # The browser drops requests it no longer needs (tiles of a zoom it left).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        if self.path.startswith("/_tiles/"):
            self._send(self.tile, "image/png")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            super().do_GET()  # the 404 of SimpleHTTPRequestHandler
            return
        self._send(path.read_bytes(), self.guess_type(str(path)))

    def _send(self, data: bytes, kind: str) -> None:
        gzipped = kind.startswith(TEXT_TYPES) and \
            "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            data = gzip.compress(data, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/")
                                                 else ""))
        self.send_header("Content-Length", str(len(data)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_lighthouse(binary: Path, url: str, preset: str, out: Path) -> dict[str, object]:
    args = [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
            "--only-categories=" + ",".join(CATEGORIES),
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if preset == "desktop":
        args.append("--preset=desktop")
    subprocess.run(args, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    cls = report["audits"]["cumulative-layout-shift"]["numericValue"]
    misses = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                misses.append(f"{name}: {audit['id']} ({audit['score']:.2f})")
    return {"scores": scores, "cls": cls, "misses": misses,
            "lcp": report["audits"]["largest-contentful-paint"]["numericValue"],
            "tbt": report["audits"]["total-blocking-time"]["numericValue"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page and preset; the "
                        "median performance score is kept")
    parser.add_argument("--keep", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument("--pages", default=",".join(PAGES), help="a comma-separated subset of "
                        + ", ".join(PAGES))
    parser.add_argument("--presets", default="mobile,desktop",
                        help="a comma-separated subset of mobile, desktop (default: both)")
    options = parser.parse_args()
    unknown = set(options.presets.split(",")) - {"mobile", "desktop"}
    if unknown:
        parser.error(f"unknown preset {', '.join(sorted(unknown))}: use mobile and/or desktop")
    binary = lighthouse_bin()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        environ = {"SITEGEN_BASE_URL": base,
                   "SITEGEN_MAPS__TILES": base + "/_tiles/{z}/{x}/{y}.png",
                   "SITEGEN_ANALYTICS__PROVIDER": "none"}
        build(BuildOptions(REPO, "production", out=site, environ=environ))
        HostHandler.tile = tile_png()
        handler = lambda *a, **k: HostHandler(*a, directory=str(site), **k)  # noqa: E731
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        reports = options.keep or Path(tmp) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        print(f"{'page':<10} {'preset':<8} perf a11y  bp  seo    CLS    LCP ms  TBT ms")
        try:
            for preset in options.presets.split(","):
                for name in options.pages.split(","):
                    path = PAGES[name]
                    runs = [run_lighthouse(binary, base + path, preset,
                                           reports / f"{name}-{preset}-{n}.json")
                            for n in range(options.runs)]
                    result = sorted(runs, key=lambda r: r["scores"]["performance"])[
                        len(runs) // 2]
                    s = result["scores"]
                    print(f"{name:<10} {preset:<8} {s['performance']:>4} "
                          f"{s['accessibility']:>4} {s['best-practices']:>3} {s['seo']:>4} "
                          f"{result['cls']:>6.3f} {result['lcp']:>8.0f} {result['tbt']:>7.0f}",
                          flush=True)
                    for miss in result["misses"]:
                        print(f"    {miss}")
        finally:
            server.shutdown()
            server.server_close()
    if options.keep is None:
        shutil.rmtree(reports, ignore_errors=True)


if __name__ == "__main__":
    main()
