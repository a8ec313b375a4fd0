"""The `sitegen` command: parse flags, call one function, map errors to exit codes.

Exit codes: 0 ok, 1 build or validation errors (shown as diagnostics, never a traceback),
2 usage errors (click's own).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sitegen import __version__
from sitegen.diagnostics import Diagnostic, SitegenError

# A command's process ends with it: the objects still alive then need no last walk by the
# cyclic garbage collector, which Python makes while it shuts down (after a big build, most
# of the time between the summary line and the exit). Files and processes are closed by the
# code that opened them, and atexit handlers still run.
atexit.register(gc.freeze)

ENV_HELP = "environment to use (default: $SITEGEN_ENV or production)"


PER_RULE_LIMIT = 20


def _echo_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """Print each diagnostic; past 20 of one kind (field or rule), print a count instead.

    A systematic problem (one template bug on 10,000 pages) stays readable, and the count
    says exactly how many were not printed, so nothing is dropped silently.
    """
    limit = len(diagnostics) if os.environ.get("SITEGEN_ALL_DIAGNOSTICS") else PER_RULE_LIMIT
    shown: dict[tuple[str | None, str], int] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.field or diagnostic.rule, diagnostic.severity)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= limit:
            click.echo(diagnostic.format(), err=True)
    for (name, severity), count in shown.items():
        if count > limit:
            click.echo(f"... and {count - limit} more {severity}s of "
                       f"{name or 'this kind'} (set SITEGEN_ALL_DIAGNOSTICS=1 to print all)",
                       err=True)


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


def _flags(kind: type[Any]) -> Callable[[Callable[[Any], None]], Callable[..., None]]:
    """A command whose options arrive as one frozen object of `kind` (named like them)."""
    def decorate(func: Callable[[Any], None]) -> Callable[..., None]:
        @functools.wraps(func)
        def command(**values: Any) -> None:
            func(kind(**values))
        return command
    return decorate


@dataclass(frozen=True)
class BuildFlags:
    env: str | None
    source: Path
    out: Path | None
    base_url: str | None
    strict: bool
    jobs: int | None
    force: bool


@dataclass(frozen=True)
class ServeFlags:
    env: str
    host: str
    port: int
    allowed_hosts: tuple[str, ...]
    open_browser: bool
    source: Path
    jobs: int | None


def _env(env: str | None) -> str:
    from sitegen.builder.run import default_env
    return env or default_env()


def run() -> None:
    """The `sitegen` command (and `python -m sitegen`): `main`, then the process ends
    without Python's teardown, which frees every object still alive one by one (after a
    big build, the model and its pages). What the command opened it has closed; the atexit
    handlers run (multiprocessing's, the gc.freeze above) and the output is flushed first.
    A command that leaves another thread running ends the usual way, which waits for it;
    so does a profiled or traced run (`python -m cProfile -m sitegen`): the profiler writes
    its results after the command returns."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc.code)
    if threading.active_count() > 1 or sys.getprofile() or sys.gettrace():
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """The status `sys.exit(code)` would give: None is 0, a number itself, and anything
    else is printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


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
@click.option("--jobs", type=click.IntRange(1, 64),
              help="render processes (default: $SITEGEN_JOBS or all cores)")
@click.option("--force", is_flag=True, help="ignore the build cache; render every page")
@domain_errors
@_flags(BuildFlags)
def build(flags: BuildFlags) -> None:
    """Build the site into dist/<env>/.

    \b
    Example:
      sitegen build --env staging --base-url https://pr-42.preview.example.com
    """
    from sitegen.builder.spare import spare_process
    from sitegen.forking import collector_off, default_jobs

    # The spare process is forked first: it imports what it computes with while this
    # process imports the build's modules.
    with collector_off(), spare_process(parallel=(flags.jobs or default_jobs()) > 1) as spare:
        from sitegen.builder.pipeline import build as run_build
        from sitegen.builder.run import BuildOptions
        from sitegen.progress import progress_reporter

        env = _env(flags.env)
        with progress_reporter() as progress:
            result = run_build(BuildOptions(flags.source, env, out=flags.out,
                                            flags={"base_url": flags.base_url},
                                            strict=flags.strict, progress=progress,
                                            jobs=flags.jobs, force=flags.force), spare)
    _echo_diagnostics(result.warnings)
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"built {env} into {result.out_dir}")
    if result.rendered or result.reused:
        click.echo(f"{result.rendered} pages rendered, {result.reused} unchanged")
    else:
        click.echo("nothing changed since the last build: nothing written")
    click.echo(result.summary())


@main.command()
@click.option("--env", "env", default="development", show_default=True,
              help="environment to build and serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (a non-loopback address is reachable by others)")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="port to listen on; 0 picks a free one")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="also answer requests for this host name (a tunnel or a container's "
                   "name); by default only 127.0.0.1, localhost, [::1] and --host")
@click.option("--open", "open_browser", is_flag=True, help="open the site in a browser")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder")
@click.option("--jobs", type=click.IntRange(1, 64),
              help="render processes (default: $SITEGEN_JOBS or all cores)")
@domain_errors
@_flags(ServeFlags)
def serve(flags: ServeFlags) -> None:
    """Build, serve and rebuild on every save, with live reload and errors in the browser.

    \b
    Example:
      sitegen serve --open
    """
    from sitegen.serve.server import Listen, ServeOptions
    from sitegen.serve.server import serve as run_serve

    run_serve(ServeOptions(flags.source, flags.env,
                           Listen(flags.host, flags.port, flags.allowed_hosts), flags.jobs,
                           _echo_diagnostics, open_browser=flags.open_browser))


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
    from sitegen.builder.run import prepare
    from sitegen.builder.stages import plan_site
    from sitegen.data.derived import derived_notes
    from sitegen.diagnostics import Report

    env = _env(env)
    started = time.perf_counter()
    loaded, policy = prepare(source.resolve(), env)
    report = Report()
    model, dataset = plan_site(loaded, policy, report)
    _echo_diagnostics(report.warnings)
    notes = [dataset.pattern_note, *dataset.notes, *derived_notes(model.locations)]
    for note in filter(None, notes):
        click.echo(f"note: {note}")
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
    from sitegen.config.load import load_config, resolved_lines
    from sitegen.config.policy import resolve_policy

    env = _env(env)
    loaded = load_config(source.resolve(), env)
    click.echo(f"# environment: {env} (behaves like {loaded.kind})")
    try:
        policy = resolve_policy(loaded, require_password=False)
    except SitegenError as exc:
        # Show the config anyway: it is what the user needs to find the refused value.
        for line in resolved_lines(loaded):
            click.echo(line)
        raise exc from None
    click.echo(f"# policy: indexable={policy.indexable} protection={policy.protection} "
               f"analytics={policy.analytics.provider if policy.analytics else 'none'} "
               f"forms={policy.forms} data={policy.data}")
    for line in resolved_lines(loaded):
        click.echo(line)


@main.command()
@click.argument("directory", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "source", type=click.Path(path_type=Path),
              help="your dataset (CSV, TSV, JSON, GeoJSON, XLSX ...): the site's mapping is "
                   "guessed from its columns")
@click.option("--languages", help="the example site in these languages, the default first "
                                   "(e.g. en,fr)")
@domain_errors
def init(directory: Path | None, source: Path | None, languages: str | None) -> None:
    """Scaffold a new site that builds at once, from an example dataset or your own.

    \b
    Examples:
      sitegen init my-site && sitegen build --source my-site
      sitegen init --languages en,fr my-site
      sitegen init --from stores.csv my-site
    """
    from sitegen.scaffold import (
        check_languages,
        mapping_lines,
        scaffold,
        scaffold_from,
        scaffold_languages,
    )

    if languages is not None and source is not None:
        raise click.UsageError("--languages makes the example site bilingual: use it "
                               "without --from")
    if source is None:
        if directory is None:
            raise click.UsageError("Missing argument 'DIRECTORY'.")
        codes = [code.strip() for code in (languages or "").split(",") if code.strip()]
        if languages is not None:
            check_languages(codes)  # before the folder is made
        created = scaffold(directory)
        if languages is not None:
            created = scaffold_languages(directory, codes)
    else:
        directory = directory or Path(source.stem)
        guessed, created = scaffold_from(source, directory)
        for line in mapping_lines(guessed):
            click.echo(line)
        click.echo(f"check the mapping in {directory / 'config' / 'base.yaml'} "
                   "(locations.fields)")
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
    from sitegen.audit.tree import audit_tree
    from sitegen.builder.run import prepare

    env = _env(env)
    loaded, policy = prepare(source.resolve(), env)
    folder = directory or source / "dist" / env
    if not folder.is_dir():
        raise SitegenError(Diagnostic(str(folder), None, None, "no build folder here",
                                      f"run sitegen build --env {env} first"))
    from sitegen.audit.guards import guard_context
    findings = audit_tree(folder, policy, loaded.config,
                          guard_context(loaded, policy, folder))
    if any(d.severity == "error" for d in findings):
        raise SitegenError(findings)
    _echo_diagnostics(findings)
    click.echo(f"{folder}: all checks passed for {env}, {len(findings)} warnings")


def _print_new_password(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`share-link --new-password`: print a strong password and exit (like --version)."""
    if not value or ctx.resilient_parsing:
        return
    from sitegen.config.secrets import new_password

    click.echo(new_password())
    click.echo("set it as the environment's password variable (a CI secret), rebuild, "
               "and give it to reviewers", err=True)
    ctx.exit()


@main.command("share-link")
@click.option("--env", "env", default="staging", show_default=True,
              help="a password-protected environment")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="the built folder (default: <source>/dist/<env>/)")
@click.option("--base-url", help="link to this URL instead of the environment's base_url")
@click.option("--new-password", is_flag=True, is_eager=True, expose_value=False,
              callback=_print_new_password,
              help="print a new strong password for the environment's variable and exit")
@click.argument("path", required=False)
@domain_errors
def share_link(env: str, source: Path, directory: Path | None, base_url: str | None,
               path: str | None) -> None:
    """Print a link that opens the current protected build without typing the password;
    with PATH (a page's production path, such as /locations/ca/), a link to that page
    (under its private name when the build has private paths).

    The token in the link is the build's key: it works until the next build of the
    environment (each build draws a new salt). The password is read from
    $SITEGEN_STAGING_PASSWORD (or the variable protection.password_env names).
    With --new-password, print a random password (24 characters) to set there instead.

    \b
    Example:
      SITEGEN_STAGING_PASSWORD=... sitegen share-link --env staging /locations/ca/bc/
      sitegen share-link --new-password
    """
    from sitegen.builder.run import prepare
    from sitegen.output.private import page_link
    from sitegen.output.protect import load_protection
    from sitegen.output.protect import share_link as make_link

    loaded, policy = prepare(source.resolve(), env)
    if policy.protection != "encrypt" or policy.password is None:
        raise SitegenError(Diagnostic(
            f"config/{env}.yaml", None, "protection.mode",
            f"environment '{env}' is not protected with protection.mode: encrypt",
            "share links open encrypted builds only"))
    folder = directory or source / "dist" / env
    protection = load_protection(folder, policy.password)
    page = page_link(folder, policy, protection, path) if path else "/"
    click.echo(make_link((base_url or policy.base_url).rstrip("/") + page, protection))


@main.group()
def data() -> None:
    """Work with the location dataset.

    \b
    Example:
      sitegen data sample --count 20 --out locations/sample.csv
    """


@data.command("sample")
@click.option("--count", type=click.IntRange(min=1), required=True, help="rows to write")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="file to write (same format as the source; by its extension otherwise)")
@click.option("--seed", type=int, default=0, show_default=True,
              help="random seed: the same seed gives the same sample")
@click.option("--env", "env", default="production", show_default=True,
              help="environment whose dataset is sampled (the real one)")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder")
@domain_errors
def data_sample(count: int, out: Path, seed: int, env: str, source: Path) -> None:
    """Write an anonymised sample of the real dataset, for staging.

    Same columns and format as the source, so it maps with the same config: names, streets,
    phones, emails and private columns are replaced, coordinates jittered, hours and
    categories kept. Point config/staging.yaml at it with `locations: {source: FILE}`.

    \b
    Example:
      sitegen data sample --count 20 --out locations/sample.csv --seed 7
    """
    from sitegen.data.sample import SampleRequest, write_sample

    result = write_sample(SampleRequest(source.resolve(), env, count, out, seed))
    click.echo(f"wrote {result.rows} anonymised rows of {result.rows_read} to {out}")


@main.command()
@click.argument("dir_a", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("dir_b", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--password-env", default="SITEGEN_STAGING_PASSWORD", show_default=True,
              help="variable holding the password of encrypted builds")
@click.option("--json", "as_json", is_flag=True, help="print the differences as JSON")
@click.option("--show-text", is_flag=True,
              help="print the changed text of encrypted builds too (kept out by default)")
@domain_errors
def diff(dir_a: Path, dir_b: Path, password_env: str, as_json: bool, show_text: bool) -> None:
    """List pages added, removed and changed between two builds, and what changed.

    Compares pages by URL path: title, address, hours, phone, the rest of the JSON-LD and
    the main text; ignores what differs by environment (host, banner, robots, analytics).
    Encrypted builds are opened with the password in $SITEGEN_STAGING_PASSWORD; of them
    only the fields that changed are printed, not their text, unless --show-text.

    \b
    Example:
      sitegen diff dist/production dist/staging
    """
    import json as jsonlib
    import os

    from sitegen.deploy.diff import diff_builds, format_diff

    password = os.environ.get(password_env) or None
    result = diff_builds(dir_a, dir_b, password=password)
    if as_json:
        click.echo(jsonlib.dumps(result.to_dict(show_text), indent=2, ensure_ascii=False))
    else:
        click.echo(format_diff(result, show_text))


@main.command()
@click.option("--env", "env", help=ENV_HELP)
@click.option("--to", "target", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="publish folder: releases/ and the current symlink a web server serves")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="site folder (for its config)")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="the built folder (default: <source>/dist/<env>/)")
@click.option("--show-text", is_flag=True,
              help="print the changed text of an encrypted build (kept out by default)")
@domain_errors
def publish(env: str | None, target: Path, source: Path, directory: Path | None,
            show_text: bool) -> None:
    """Release the existing build into DIR/releases/ and switch DIR/current to it atomically.

    Does not rebuild: runs the same audit as `sitegen check` on the build and refuses one
    that fails it. Keeps the newest publish.keep releases (default 5), never the live one.
    Of an encrypted build it prints which pages and fields changed, not their text, unless
    --show-text.

    \b
    Example:
      sitegen build --env production && sitegen publish --env production --to /srv/www/site
    """
    from sitegen.deploy.publish import RELEASES, change_lines
    from sitegen.deploy.publish import publish as run_publish

    env = _env(env)
    result = run_publish(source, env, target, folder=directory)
    _echo_diagnostics(result.warnings)
    if result.compared is None:
        click.echo("first release: nothing to compare with")
    else:
        click.echo(f"changes against the live release {result.previous}:")
        for line in change_lines(*result.compared, result.password, show_text):
            click.echo(f"  {line}")
    click.echo(f"published {env} as {RELEASES}/{result.release}; "
               f"{target}/current -> {RELEASES}/{result.release}")
    if result.removed:
        click.echo(f"removed {len(result.removed)} old release"
                   f"{'s' if len(result.removed) != 1 else ''}: {', '.join(result.removed)}")


@main.command()
@click.argument("release", required=False)
@click.option("--to", "target", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="the publish folder given to sitegen publish --to")
@domain_errors
def rollback(release: str | None, target: Path) -> None:
    """Switch DIR/current back to the previous release (or to RELEASE) atomically.

    \b
    Example:
      sitegen rollback --to /srv/www/site
      sitegen rollback --to /srv/www/site 20260131T120000Z-3f2a9c1b
    """
    from sitegen.deploy.publish import RELEASES, releases
    from sitegen.deploy.publish import rollback as run_rollback

    result = run_rollback(target, release)
    click.echo(f"rolled back {target}/current: {result.previous or 'none'} -> "
               f"{RELEASES}/{result.release}")
    click.echo("releases: " + ", ".join(
        f"{name} (live)" if name == result.release else name for name in releases(
            target.resolve())))
