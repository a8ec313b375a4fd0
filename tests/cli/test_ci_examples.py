"""The CI recipes of docs/deploy.md run as written (issue 25).

Each recipe's shell steps (GitHub Actions `run:` steps, GitLab `before_script` + `script`) run
with bash, in order, in a temporary site repository (a git repository holding a copy of the
example site), in a new venv. A locally built wheel stands in for the install source through
the variable every recipe documents, `INSTALL_SITEGEN`; a local receiver stands in for the
private channel that gets the share link, and a recording `npx` for the Netlify CLI. Then the
outputs are checked: the encrypted preview, the published release, the deploy call, and that
no share link, token or password reached a public place (job log, job summary, artifacts).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from support.release import install_env, make_venv
from support.servers import LocalServer, Reply
from support.sites import REPO, copy_example

EXAMPLES = REPO / "examples" / "ci"
PASSWORD = "correct horse battery staple 25"
LINK = re.compile(r"https://[\w.-]+/#token=([\w-]{40,})")
INSTALL_FORMS = re.compile(r"git\+https://\S+@v\d+\.\d+\.\d+|https://\S+\.whl|sitegen==\S+")
GITHUB_EXPRESSIONS = {
    "secrets.SITEGEN_STAGING_PASSWORD": PASSWORD,
    "secrets.NETLIFY_AUTH_TOKEN": "test-token",
    "vars.NETLIFY_SITE_ID": "test-site",
    "secrets.LEADS_WEBHOOK_URL": "https://hooks.example.com/leads",
    "github.event.pull_request.number": "42",
    "secrets.SHARE_LINK_WEBHOOK": "",  # unset unless a test gives a receiver
    "vars.SHARE_LINK_IN_SUMMARY": "",  # the default: unset
}
GITLAB_VARIABLES = {
    "CI_MERGE_REQUEST_IID": "7", "CI_COMMIT_REF_SLUG": "feature-x",
    "LEADS_WEBHOOK_URL": "https://hooks.example.com/leads",
    "SITEGEN_STAGING_PASSWORD": PASSWORD,
}
RECIPES = ("github-actions-preview.yml", "github-actions-production.yml", "gitlab-ci.yml")
NPX = """#!/bin/sh
# The Netlify CLI's stand-in: records the deploy it was asked for.
test -n "$NETLIFY_AUTH_TOKEN" || { echo "no NETLIFY_AUTH_TOKEN" >&2; exit 1; }
printf '%s\\n' "$@" > "$NPX_CALLS"
"""


@dataclass
class Step:
    job: str
    name: str
    script: str
    env: dict[str, str]


@dataclass
class Runner:
    """Runs steps the way the CI services do, and keeps what each makes public."""

    site: Path
    base_env: dict[str, str]
    log: list[str] = field(default_factory=list)  # what the job log shows, masks applied
    masks: list[str] = field(default_factory=list)

    def run(self, step: Step, extra: dict[str, str] | None = None) -> None:
        env = {**self.base_env, **step.env, **(extra or {})}
        exported = self.site.parent / "github-env"  # $GITHUB_ENV: variables for later steps
        exported.write_text("", encoding="utf-8")
        env["GITHUB_ENV"] = str(exported)
        script = self.site.parent / "step.sh"
        script.write_text(step.script, encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=self.site, env=env, capture_output=True, text=True,
                              timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{step.job}/{step.name}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        for line in exported.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            self.base_env[name] = value
        for line in (done.stdout + done.stderr).splitlines():
            if line.startswith("::add-mask::"):  # a workflow command: the runner hides it
                self.masks.append(line.removeprefix("::add-mask::"))
                continue
            for secret in sorted(self.masks, key=len, reverse=True):
                line = line.replace(secret, "***") if secret else line
            self.log.append(line)


def github(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in GITHUB_EXPRESSIONS, f"no test value for ${{{{ {expression} }}}}"
        return GITHUB_EXPRESSIONS[expression]
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def gitlab(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), text)


def github_steps(name: str) -> list[Step]:
    workflow = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    steps = []
    for job_name, job in workflow["jobs"].items():
        env = {k: github(str(v)) for k, v in (job.get("env") or {}).items()}
        for step in job["steps"]:
            if "run" in step:
                step_env = {**env, **{k: github(str(v)) for k, v in
                                      (step.get("env") or {}).items()}}
                steps.append(Step(job_name, step.get("name", ""), github(step["run"]), step_env))
    return steps


def gitlab_steps(name: str) -> list[Step]:
    pipeline = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    top = {k: str(v) for k, v in (pipeline.get("variables") or {}).items()}
    before = (pipeline.get("default") or {}).get("before_script") or []
    steps = []
    for job_name, job in pipeline.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        variables = {**GITLAB_VARIABLES, **top}
        for key, value in (job.get("variables") or {}).items():
            variables[key] = gitlab(str(value), variables)
        # One shell per job, as GitLab runs before_script and script (an export carries on).
        lines = [*map(str, before), *map(str, job["script"])]
        steps.append(Step(job_name, "script", "\n".join(lines), variables))
    return steps


def gitlab_entry(name: str, job: str, containing: str) -> Step:
    """One entry of a GitLab job's script, with the job's variables."""
    (step,) = [s for s in gitlab_steps(name) if s.job == job]
    pipeline = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    (entry,) = [str(e) for e in pipeline[job]["script"] if containing in str(e)]
    return Step(job, containing, entry, step.env)


def site_repository(root: Path) -> Path:
    """A copy of the example site as a git repository with a remote (the production recipe
    commits the redirects ledger back and pushes)."""
    site = copy_example(root)
    remote = root.parent / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True,
                   capture_output=True)
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm",
                  "site"], ["remote", "add", "origin", str(remote)],
                 ["push", "-q", "-u", "origin", "HEAD"]):
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True)
    return site


@pytest.fixture
def wheel(release: dict[str, Path]) -> Path:
    return release["wheel"]


@pytest.mark.parametrize("name", RECIPES)
def test_recipes_are_valid_and_install_from_a_documented_source(name: str) -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yml")) == sorted(RECIPES)
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    steps = gitlab_steps(name) if name.startswith("gitlab") else github_steps(name)
    install = next(s for s in steps if "pip install" in s.script)
    assert 'python -m pip install "$INSTALL_SITEGEN"' in install.script.splitlines(), install
    assert INSTALL_FORMS.fullmatch(install.env["INSTALL_SITEGEN"]), install.env
    assert isinstance(data, dict)


def test_every_recipe_runs_and_keeps_the_share_link_private(tmp_path: Path, wheel: Path) -> None:
    site = site_repository(tmp_path / "site")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "npx").write_text(NPX, encoding="utf-8")
    (tools / "npx").chmod(0o755 | stat.S_IXUSR)
    summary = tmp_path / "step-summary.md"
    calls = tmp_path / "npx-calls.txt"
    with LocalServer(lambda seen: Reply(200, body=b"ok")) as channel:
        runners = {}
        for name in RECIPES:
            shutil.rmtree(site / "dist", ignore_errors=True)
            bin_dir = make_venv(tmp_path / f"venv-{name}")
            env = install_env(bin_dir, tmp_path)
            env["PATH"] = f"{bin_dir}{os.pathsep}{tools}{os.pathsep}{os.environ['PATH']}"
            runner = runners[name] = Runner(site, {
                **env, "GITHUB_STEP_SUMMARY": str(summary), "NPX_CALLS": str(calls)})
            steps = gitlab_steps(name) if name.startswith("gitlab") else github_steps(name)
            for step in steps:
                overrides = {"INSTALL_SITEGEN": str(wheel),
                             "SHARE_LINK_WEBHOOK": f"{channel.url}/hooks/share"}
                if "DEPLOY_DIR" in step.env:
                    overrides["DEPLOY_DIR"] = str(tmp_path / f"www-{name}")
                runner.run(step, overrides)
            if name.startswith("gitlab"):  # the artifact: the encrypted preview, no secrets
                artifact = b"".join(p.read_bytes() for p in (site / "dist" / "staging").rglob(
                    "*") if p.is_file())
                assert PASSWORD.encode() not in artifact
        posts = channel.posts()

    # The previews: built encrypted, the link sent to the private channel, one per preview.
    links = []
    for post, host in zip(posts, ("pr-42--juniperoak.netlify.app",
                                  "mr-7.preview.juniperoak.example"), strict=True):
        assert post.path == "/hooks/share" and post.content_type == "application/json"
        text = json.loads(post.body)["text"]
        match = LINK.search(text)
        assert match and text == f"Preview: https://{host}/#token={match.group(1)}", text
        links.append((match.group(0), match.group(1)))
    # The Netlify deploy of the GitHub preview got the encrypted build.
    assert calls.read_text().split("\n")[:6] == ["--yes", "netlify-cli@17", "deploy", "--dir",
                                                 "dist/staging", "--alias"]
    # The production publishes: a release behind `current`.
    for name in ("github-actions-production.yml", "gitlab-ci.yml"):
        current = tmp_path / f"www-{name}" / "current"
        assert current.is_symlink() and (current / "index.html").is_file(), name
        assert os.readlink(current).startswith("releases/")
        index = (current / "index.html").read_text(encoding="utf-8")
        assert 'id="sitegen-protected"' not in index and "noindex" not in index

    # Nothing public holds the link, its token or the password: logs and the job summary.
    assert summary.read_text(encoding="utf-8") == (
        "Preview: https://pr-42--juniperoak.netlify.app (password protected)\n")
    public = "\n".join(line for runner in runners.values() for line in runner.log)
    public += summary.read_text(encoding="utf-8")
    for link, token in links:
        assert link not in public and token not in public
    assert PASSWORD not in public
    assert "Preview: https://mr-7.preview.juniperoak.example (password protected)" in public


def test_the_share_link_goes_public_only_when_a_flag_says_so(tmp_path: Path,
                                                              wheel: Path) -> None:
    site = site_repository(tmp_path / "site")
    bin_dir = make_venv(tmp_path / "venv")
    summary = tmp_path / "step-summary.md"
    runner = Runner(site, {**install_env(bin_dir, tmp_path),
                           "GITHUB_STEP_SUMMARY": str(summary)})
    preview = github_steps("github-actions-preview.yml")
    install, share = preview[0], next(s for s in preview if "share-link" in s.script)
    # The build the link opens (its validate and check steps run in the test above).
    build = next(s for s in preview if s.script.startswith("sitegen build"))
    runner.run(install, {"INSTALL_SITEGEN": str(wheel)})
    runner.run(build)
    runner.run(share, {"SHARE_LINK_WEBHOOK": ""})  # no private channel: the link goes nowhere
    assert not LINK.search("\n".join(runner.log) + summary.read_text(encoding="utf-8"))
    runner.run(share, {"SHARE_LINK_WEBHOOK": "", "SHARE_LINK_IN_SUMMARY": "true"})
    assert LINK.search(summary.read_text(encoding="utf-8").splitlines()[-1])

    gitlab_share = gitlab_entry("gitlab-ci.yml", "preview", "share-link")
    runner = Runner(site, runner.base_env)  # GitLab has no masking command
    runner.run(gitlab_share, {"SHARE_LINK_WEBHOOK": ""})
    assert not LINK.search("\n".join(runner.log))
    runner.run(gitlab_share, {"SHARE_LINK_WEBHOOK": "", "SHARE_LINK_IN_LOG": "true"})
    assert LINK.search(runner.log[-1])
    assert PASSWORD not in "\n".join(runner.log)
