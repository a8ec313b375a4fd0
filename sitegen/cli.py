"""The `sitegen` command: parse flags, call one function, map errors to exit codes.

Exit codes: 0 ok, 1 build or validation errors (shown as diagnostics, never a traceback),
2 usage errors (click's own).
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sitegen import __version__
from sitegen.diagnostics import Diagnostic, SitegenError

ENV_HELP = "environment to use (default: $SITEGEN_ENV or production)"


def _echo_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn SitegenError into its messages and exit code 1; never show a traceback."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SitegenError as exc:
            _echo_diagnostics(exc.diagnostics)
            errors = sum(1 for d in exc.diagnostics if d.severity == "error")
            click.echo(f"error: {errors} problem{'s' if errors != 1 else ''} found; "
                       "nothing was written", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
    return wrapper


def _env(env: str | None) -> str:
    from sitegen.build import default_env
    return env or default_env()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
def main() -> None:
    """sitegen: static sites for businesses with many locations, built per environment.

    \b
    Example:
      sitegen build --env staging --source my-site
    """


@main.command()
@click.option("--env", "env", help=ENV_HELP)
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder (with config/, locations/, content/)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="output folder (default: <source>/dist/<env>/)")
@click.option("--base-url", help="absolute base URL, e.g. a preview URL")
@click.option("--strict", is_flag=True, help="treat warnings as errors")
@domain_errors
def build(env: str | None, source: Path, out: Path | None, base_url: str | None,
          strict: bool) -> None:
    """Build the site into dist/<env>/.

    \b
    Example:
      sitegen build --env staging --base-url https://pr-42.preview.example.com
    """
    from sitegen.build import build as run_build
    from sitegen.progress import progress_reporter

    env = _env(env)
    with progress_reporter() as progress:
        result = run_build(source, env, out=out, flags={"base_url": base_url}, strict=strict,
                           progress=progress)
    _echo_diagnostics(result.warnings)
    click.echo(f"built {env} into {result.out_dir}")
    click.echo(result.summary())


@main.command()
@click.option("--env", "env", help=ENV_HELP)
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder")
@domain_errors
def validate(env: str | None, source: Path) -> None:
    """Check config and dataset without building.

    \b
    Example:
      sitegen validate --env production --source my-site
    """
    from sitegen.build import build_site_model, prepare
    from sitegen.diagnostics import Report

    env = _env(env)
    started = time.perf_counter()
    loaded, policy = prepare(source.resolve(), env)
    report = Report()
    model, dataset = build_site_model(loaded, policy, report)
    _echo_diagnostics(report.warnings)
    click.echo(f"{dataset.rows_read} rows read, {len(model.locations)} locations valid, "
               f"{dataset.rows_skipped} rows skipped, {len(report.warnings)} warnings, "
               f"{len(model.pages)} pages planned in {time.perf_counter() - started:.1f} s")


@main.command("config")
@click.option("--env", "env", help=ENV_HELP)
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder")
@domain_errors
def show_config(env: str | None, source: Path) -> None:
    """Print the resolved config and which layer set each value.

    \b
    Example:
      SITEGEN_BASE_URL=https://example.com sitegen config --env production
    """
    from sitegen.config import load_config, resolved_lines
    from sitegen.environments import resolve_policy

    env = _env(env)
    loaded = load_config(source.resolve(), env)
    policy = resolve_policy(loaded, require_password=False)
    click.echo(f"# environment: {env} (behaves like {loaded.kind})")
    click.echo(f"# policy: indexable={policy.indexable} protection={policy.protection} "
               f"analytics={policy.analytics.provider if policy.analytics else 'none'} "
               f"forms={policy.forms} data={policy.data}")
    for line in resolved_lines(loaded):
        click.echo(line)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@domain_errors
def init(directory: Path) -> None:
    """Scaffold a new site that builds at once.

    \b
    Example:
      sitegen init my-site && sitegen build --source my-site
    """
    from sitegen.scaffold import scaffold

    created = scaffold(directory)
    click.echo(f"created {len(created)} files in {directory}")
    click.echo(f"next: sitegen build --source {directory}")


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--env", "env", help=ENV_HELP)
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder (for its config)")
@domain_errors
def check(directory: Path | None, env: str | None, source: Path) -> None:
    """Audit a built folder against its environment's policy.

    \b
    Example:
      sitegen check --env production dist/production
    """
    from sitegen.audit import audit_tree
    from sitegen.build import prepare

    env = _env(env)
    loaded, policy = prepare(source.resolve(), env)
    folder = directory or source / "dist" / env
    if not folder.is_dir():
        raise SitegenError(Diagnostic(str(folder), None, None, "no build folder here",
                                      f"run sitegen build --env {env} first"))
    findings = audit_tree(folder, policy, loaded.config)
    if any(d.severity == "error" for d in findings):
        raise SitegenError(findings)
    _echo_diagnostics(findings)
    click.echo(f"{folder}: all checks passed for {env}, {len(findings)} warnings")
