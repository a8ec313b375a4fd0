"""The CI recipes of docs/deploy.md: examples/ci/*.yml are valid YAML, and their sitegen
commands, run in order against the example site (secrets and URLs replaced by test values,
the deploy folder by a temporary one), all succeed."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.sites import REPO, clean_env, copy_example

EXAMPLES = REPO / "examples" / "ci"
PASSWORD = "correct horse battery staple"
GITHUB_EXPRESSIONS = {
    "secrets.SITEGEN_STAGING_PASSWORD": PASSWORD,
    "secrets.NETLIFY_AUTH_TOKEN": "test-token",
    "vars.NETLIFY_SITE_ID": "test-site",
    "secrets.LEADS_WEBHOOK_URL": "https://hooks.example.com/leads",
    "github.event.pull_request.number": "42",
}
GITLAB_VARIABLES = {
    "CI_MERGE_REQUEST_IID": "7", "CI_COMMIT_REF_SLUG": "feature-x",
    "LEADS_WEBHOOK_URL": "https://hooks.example.com/leads",
    "SITEGEN_STAGING_PASSWORD": PASSWORD,
}


def github(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in GITHUB_EXPRESSIONS, f"no test value for ${{{{ {expression} }}}}"
        return GITHUB_EXPRESSIONS[expression]
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def gitlab(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), text)


def sitegen_lines(script: str) -> list[str]:
    return [line.strip() for line in script.splitlines() if line.strip().startswith("sitegen ")]


def github_commands(path: Path, deploy: Path) -> list[tuple[list[str], dict[str, str]]]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = []
    for job in workflow["jobs"].values():
        env = {k: github(str(v)) for k, v in (job.get("env") or {}).items()}
        if "DEPLOY_DIR" in env:
            env["DEPLOY_DIR"] = str(deploy)
        for step in job["steps"]:
            if "run" in step:
                step_env = {**env, **{k: github(str(v)) for k, v in (step.get("env") or {})
                                      .items()}}
                steps.append((sitegen_lines(github(step["run"])), step_env))
    return steps


def gitlab_commands(path: Path, deploy: Path) -> list[tuple[list[str], dict[str, str]]]:
    pipeline = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = []
    for name, job in pipeline.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        variables = dict(GITLAB_VARIABLES)
        for key, value in (job.get("variables") or {}).items():
            variables[key] = gitlab(str(value), variables)
        if "DEPLOY_DIR" in variables:
            variables["DEPLOY_DIR"] = str(deploy)
        lines = [line for command in job["script"] for line in sitegen_lines(str(command))]
        assert lines, f"job {name} runs no sitegen command"
        steps.append((lines, variables))
    return steps


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yml")))
def test_examples_are_valid_yaml(name: str) -> None:
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data


def test_the_example_pipelines_run_against_the_example_site(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "sitegen"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sitegen "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    summary = tmp_path / "step-summary.md"
    pipelines = [
        ("github-actions-preview.yml", github_commands),
        ("github-actions-production.yml", github_commands),
        ("gitlab-ci.yml", gitlab_commands),
    ]
    ran: list[str] = []
    for name, reader in pipelines:
        deploy = tmp_path / f"www-{name.split('.')[0]}"
        for lines, env in reader(EXAMPLES / name, deploy):
            full = clean_env({**env, "GITHUB_STEP_SUMMARY": str(summary)})
            full["PATH"] = f"{bin_dir}{os.pathsep}{full.get('PATH', '')}"
            for line in lines:
                done = subprocess.run(["bash", "-c", line], cwd=site, env=full,
                                      capture_output=True, text=True, timeout=300,
                                      stdin=subprocess.DEVNULL)
                assert done.returncode == 0, f"{name}: {line}\n{done.stdout}\n{done.stderr}"
                assert "Traceback" not in done.stderr
                ran.append(f"{name}: {line.split()[1]}")
        if "DEPLOY_DIR" in (EXAMPLES / name).read_text(encoding="utf-8"):
            current = deploy / "current"
            assert current.is_symlink() and (current / "index.html").is_file(), name
            assert os.readlink(current).startswith("releases/")
    assert ran == [
        "github-actions-preview.yml: validate", "github-actions-preview.yml: build",
        "github-actions-preview.yml: check", "github-actions-preview.yml: share-link",
        "github-actions-production.yml: build", "github-actions-production.yml: check",
        "github-actions-production.yml: publish",
        "gitlab-ci.yml: validate", "gitlab-ci.yml: build", "gitlab-ci.yml: check",
        "gitlab-ci.yml: share-link",
        "gitlab-ci.yml: build", "gitlab-ci.yml: check", "gitlab-ci.yml: publish"]
    [link] = summary.read_text(encoding="utf-8").splitlines()  # only sitegen lines ran
    assert re.fullmatch(r"https://pr-42--juniperoak\.netlify\.app/#token=[\w-]{40,}", link)
    index = (site / "dist" / "staging" / "index.html").read_text(encoding="utf-8")
    assert 'id="sitegen-protected"' in index  # the preview is encrypted
