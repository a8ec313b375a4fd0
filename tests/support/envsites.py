"""Helpers for the environment tests: build the example site per environment, run the CLI
in-process, read pages (decrypting protected ones)."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions
from sitegen.cli import main
from sitegen.output.protect import Protection, load_protection, prompt_payload
from support.sites import REPO, copy_example

PASSWORD = "correct horse battery staple"
WEBHOOK = "https://hooks.juniperoak.example/leads"
# What CI would set: the staging password, and the production lead webhook (which every
# environment's config then sees; only production may post to it).
ENV = {"SITEGEN_STAGING_PASSWORD": PASSWORD, "SITEGEN_LEADS__WEBHOOK_URL": WEBHOOK}
ENVIRONMENTS = ("development", "staging", "uat", "production")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico")


def example_site(dest: Path) -> Path:
    return copy_example(dest)


def build_env(site: Path, env: str, environ: Mapping[str, str] | None = None,
              out: Path | None = None) -> Path:
    result = build(BuildOptions(site, env, environ=dict(ENV if environ is None else environ),
                                out=out))
    return result.out_dir


def invoke(*args: str | Path, env: Mapping[str, str] | None = None) -> Result:
    """Run the CLI in-process (fast; monkeypatches apply), with only the given SITEGEN_*."""
    runner = CliRunner()
    clean: dict[str, str | None] = {name: None for name in os.environ
                                    if name.startswith("SITEGEN_")}
    clean.update(env or {})
    return runner.invoke(main, [str(a) for a in args], env=clean, catch_exceptions=False)


def source_rows() -> list[dict[str, str]]:
    with (REPO / "locations" / "locations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def key_of(root: Path) -> Protection:
    return load_protection(root, PASSWORD)


def page_html(path: Path, protection: Protection | None = None) -> str:
    """The page's HTML, decrypted when it is a prompt page."""
    text = path.read_text(encoding="utf-8")
    payload = prompt_payload(text)
    if payload is None:
        return text
    assert protection is not None, f"{path} is encrypted"
    return protection.decrypt(payload).decode("utf-8")
