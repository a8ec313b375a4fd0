"""What one build is asked to do: the caller's options, and the run they resolve to.

`BuildOptions` is what the CLI and the dev server pass (a site folder, an environment, the
flags). `BuildRun` is what every stage of the build then reads instead of a chain of
parameters: the loaded config and its policy, the dataset's file, the output folder, how
many processes, what the previous build of that folder left, and the date pages changed in
this build get.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.builder.cache import BuildCache, hash_inputs, load_cache
from sitegen.config.load import LoadedConfig, load_config
from sitegen.config.policy import Policy, password_problems, resolve_policy
from sitegen.data.gazetteer import gazetteer_version
from sitegen.data.inputs import build_time, iso
from sitegen.data.remote import resolve_source
from sitegen.diagnostics import Report, SitegenError
from sitegen.forking import default_jobs
from sitegen.output.outdir import Target, build_target, claim_output, resolved

Progress = Callable[[int, int], None]
GENERATOR = Path(__file__).parents[1]  # the generator's own code: a build reads it too


@dataclass(frozen=True)
class BuildOptions:
    """A build as asked for: `sitegen build`'s flags, or the dev server's settings."""

    source: Path
    env: str
    out: Path | None = None  # default: <source>/dist/<env>/
    flags: Mapping[str, Any] | None = None  # the config layer of command-line flags
    strict: bool = False  # warnings are errors
    environ: Mapping[str, str] | None = None  # default: os.environ
    progress: Progress | None = None
    jobs: int | None = None  # default: $SITEGEN_JOBS or every core
    force: bool = False  # ignore the build cache
    keep_state: bool = False  # serve: keep what the next in-place edit needs

    @property
    def target(self) -> Target:
        """The output folder, resolved, with how the user named it (output/outdir.py)."""
        return build_target(resolved(self.source, "--source"), self.env, self.out)

    @property
    def out_dir(self) -> Path:
        return self.target.path


@dataclass(frozen=True)
class BuildRun:
    """One build, resolved from its options before anything is read but the config."""

    options: BuildOptions
    loaded: LoadedConfig
    policy: Policy
    resolved: tuple[Path, str | None, str]  # the dataset's file (a URL's download),
    # its format and its name in messages (data/remote.resolve_source)
    cache: BuildCache  # what the previous build of this output left (empty with --force)
    # The digest of everything the build reads (input_fingerprint); empty until `digested`
    # when there is no previous build to compare it with.
    inputs: str
    jobs: int
    # The config as the files and flags give it: the build settles values in it later
    # (the categories separator the data uses), which the next build digests unsettled.
    config_text: str = ""

    @property
    def source(self) -> Path:
        return self.loaded.source

    @property
    def out_dir(self) -> Path:
        return self.options.out_dir

    @property
    def environ(self) -> Mapping[str, str] | None:
        return self.options.environ

    @property
    def unchanged(self) -> bool:
        """Nothing the build reads changed since it wrote the output, which is intact."""
        return bool(self.inputs) and self.cache.inputs == self.inputs \
            and self.cache.output_intact(self.out_dir)

    @property
    def previous(self) -> BuildCache:
        """The previous build's pages to reuse: only from the very folder the cache
        describes, and never into an encrypted build (each has its own key)."""
        reusable = self.policy.protection != "encrypt" and \
            self.cache.output_intact(self.out_dir)
        return self.cache if reusable else BuildCache()

    @property
    def today(self) -> str:
        """The date pages changed in this build get as `lastmod` (SOURCE_DATE_EPOCH, or
        the newest input), so rebuilding the same input gives the same sitemap."""
        return build_date(self.loaded, self.environ)

    @property
    def rows_key(self) -> str:
        return cache_key_for_rows(self.loaded)


def prepare(source: Path, env: str, *, flags: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None) -> tuple[LoadedConfig, Policy]:
    loaded = load_config(source, env, environ=environ, flags=flags)
    return loaded, resolve_policy(loaded, environ)


def start(options: BuildOptions, report: Report) -> BuildRun:
    """Load the config, resolve the policy, claim the output folder, resolve the dataset's
    file, read the small part of the build cache, and digest every input."""
    loaded, policy = prepare(options.source.resolve(), options.env, flags=options.flags,
                             environ=options.environ)
    problems = password_problems(loaded, policy)
    if any(d.severity == "error" for d in problems):
        raise SitegenError(problems)
    report.extend(problems)
    claim_output(options.target, loaded)  # a folder sitegen may replace (output/outdir.py)
    cache = BuildCache() if options.force else load_cache(loaded.source, options.env, report)
    resolved = resolve_source(loaded, policy.kind, report)
    config_text = loaded.config.model_dump_json()
    # Digested now when the previous build's digest may make this build a no-op; else by
    # `digested`, which a build calls once it has forked the process that reads the rows.
    inputs = input_fingerprint(options, loaded, policy, resolved[0], config_text) \
        if cache.inputs else ""
    return BuildRun(options, loaded, policy, resolved, cache, inputs,
                    options.jobs or default_jobs(), config_text)


def digested(run: BuildRun) -> BuildRun:
    """`run` with the digest of its inputs (`start` leaves it to this when there is no
    previous build)."""
    if run.inputs:
        return run
    return dataclasses.replace(run, inputs=input_fingerprint(
        run.options, run.loaded, run.policy, run.resolved[0], run.config_text))


def planning_run(loaded: LoadedConfig, policy: Policy, report: Report) -> BuildRun:
    """A run that plans the site and writes nothing (`sitegen validate`): no cache, one
    process."""
    options = BuildOptions(loaded.source, loaded.env, jobs=1)
    return BuildRun(options, loaded, policy, resolve_source(loaded, policy.kind, report),
                    BuildCache(), "", 1)


def input_fingerprint(options: BuildOptions, loaded: LoadedConfig, policy: Policy,
                      dataset: Path, config_text: str | None = None) -> str:
    """Everything a build reads: files, resolved config (`config_text`: as it was loaded,
    when the build has settled values in it since), policy, generator code, flags."""
    environ = os.environ if options.environ is None else options.environ
    policy_text = repr(dataclasses.replace(policy, password=None)) + hashlib.sha256(
        (policy.password or "").encode()).hexdigest()
    paths = [loaded.source / "config", dataset, loaded.source / "content",
             loaded.source / "themes", loaded.source / loaded.config.redirects.ledger,
             GENERATOR]
    locator = loaded.config.locator
    if locator.postcodes:
        paths.append(loaded.source / locator.postcodes)
    return hash_inputs([p for p in paths if p.exists()], [
        config_text or loaded.config.model_dump_json(), policy_text, str(options.out_dir),
        repr(options.strict), environ.get("SOURCE_DATE_EPOCH", ""), gazetteer_version()])


def cache_key_for_rows(loaded: LoadedConfig) -> str:
    """Validated rows stay valid while the dataset settings stay the same."""
    return hashlib.blake2b(loaded.config.locations.model_dump_json().encode(),
                           digest_size=16).hexdigest()


def build_date(loaded: LoadedConfig, environ: Mapping[str, str] | None) -> str:
    """The date pages changed in a build get as `lastmod`."""
    seconds, _ = build_time(loaded, os.environ if environ is None else environ)
    return iso(seconds)[:10]


def default_env(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get("SITEGEN_ENV") or "production"
