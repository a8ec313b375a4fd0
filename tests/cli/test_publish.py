"""Publishing: atomic releases behind a symlink, rollback, locks, and faults that change nothing.

Everything runs the real CLI; the web server is a real `http.server` pointed at DIR/current
(it joins that path per request, so it follows the symlink as it is switched).
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support.browser import serve
from support.sites import (
    REPO,
    build,
    clean_env,
    cli_command,
    generated_rows,
    run_cli,
    small_site,
    tree_hashes,
)

TESTS = Path(__file__).resolve().parents[1]
RELEASE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def describe(site: Path, text: str) -> None:
    rows = generated_rows(3)
    rows[0]["description"] = text
    small_site(site, rows)


def releases(target: Path) -> list[str]:
    return sorted(p.name for p in (target / "releases").iterdir())


def test_publish_then_rollback_switches_what_a_server_serves(tmp_path: Path) -> None:
    site, target = tmp_path / "site", tmp_path / "www"
    describe(site, "First edition")
    build(site)
    first = run_cli("publish", "--source", site, "--to", target)
    assert first.returncode == 0, str(first)
    assert first.out_lines[0] == "first release: nothing to compare with"
    [one] = releases(target)
    assert RELEASE.match(one), one
    assert os.readlink(target / "current") == f"releases/{one}"
    assert tree_hashes(target / "releases" / one) == tree_hashes(site / "dist" / "production")

    page = "/locations/il/peoria/test-store-0001/"
    with serve(target / "current") as base:
        assert "First edition" in fetch(base + page)

        describe(site, "Second edition")
        time.sleep(1.1)  # release names carry the second; keep them ordered
        build(site)
        second = run_cli("publish", "--source", site, "--to", target)
        assert second.returncode == 0, str(second)
        one_b, two = releases(target)
        assert one_b == one
        assert f"changes against the live release {one}:" in second.out_lines
        assert "  changed /locations/il/peoria/test-store-0001/" in second.out_lines
        assert '    JSON-LD [0].description: "First edition" -> "Second edition"' \
            in second.out_lines
        assert "  0 added, 0 removed, 1 changed, 13 unchanged" in second.out_lines
        assert any(re.fullmatch(r"  files: 0 added, 0 removed, \d+ changed", line)
                   for line in second.out_lines), str(second)
        assert second.out_lines[-1] == (f"published production as releases/{two}; "
                                        f"{target}/current -> releases/{two}")
        assert "Second edition" in fetch(base + page)

        back = run_cli("rollback", "--to", target)
        assert back.returncode == 0, str(back)
        assert back.out_lines == [f"rolled back {target}/current: {two} -> releases/{one}",
                                  f"releases: {one} (live), {two}"]
        assert "First edition" in fetch(base + page)
        assert "Second edition" not in fetch(base + page)

        forward = run_cli("rollback", "--to", target, two)
        assert forward.returncode == 0, str(forward)
        assert "Second edition" in fetch(base + page)

    nothing_before = run_cli("rollback", "--to", target, "--", "no-such-release")
    assert nothing_before.returncode == 1
    assert nothing_before.err_lines[0] == (f"{target}/releases: no release named "
                                           f"'no-such-release' (releases: {one}, {two})")
    assert sorted(p.name for p in target.iterdir()) == ["current", "releases"]


def test_publish_keeps_the_newest_releases_and_never_the_live_one(tmp_path: Path) -> None:
    site, target = tmp_path / "site", tmp_path / "www"
    describe(site, "v0")
    config = site / "config" / "base.yaml"
    config.write_text(config.read_text() + "publish:\n  keep: 2\n")
    build(site)
    names, outputs = [], []
    for n in range(3):
        if n:
            time.sleep(1.1)
        result = run_cli("publish", "--source", site, "--to", target)
        assert result.returncode == 0, str(result)
        names.append(os.readlink(target / "current").split("/")[-1])
        outputs.append(result)
    assert releases(target) == names[1:]
    assert outputs[2].out_lines[-1] == f"removed 1 old release: {names[0]}"
    assert run_cli("rollback", "--to", target).returncode == 0
    assert os.readlink(target / "current") == f"releases/{names[1]}"
    time.sleep(1.1)
    again = run_cli("publish", "--source", site, "--to", target)
    assert again.returncode == 0, str(again)
    newest = os.readlink(target / "current").split("/")[-1]
    # the newest two, and the one that was live until this publish switched away from it
    assert releases(target) == sorted([names[1], names[2], newest])


def test_publish_refuses_a_build_that_fails_check(tmp_path: Path) -> None:
    site, target = small_site(tmp_path / "site"), tmp_path / "www"
    build(site)
    assert run_cli("publish", "--source", site, "--to", target).returncode == 0
    live = os.readlink(target / "current")
    page = next((site / "dist" / "production" / "locations").rglob("index.html"))
    rel = page.relative_to(site / "dist" / "production").as_posix()
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<head>", '<head>\n<meta name="robots" content="noindex">', 1),
                    encoding="utf-8")
    result = run_cli("publish", "--source", site, "--to", target)
    assert result.returncode == 1, str(result)
    assert f'{rel}: guard.noindex-in-production: page has <meta name="robots" ' \
        'content="noindex"> in an indexable environment (only pages the build declares ' \
        "(404, the form's thank-you page, front matter robots: noindex) may)" \
        in result.err_lines
    assert result.err_lines[-2] == (
        f"{site / 'dist' / 'production'}: refusing to publish: the build fails sitegen check "
        "for production (fix the problems above, rebuild and publish again; the live release "
        "is unchanged)")
    assert os.readlink(target / "current") == live
    assert len(releases(target)) == 1
    assert not list((target / "releases").glob(".*"))


def test_concurrent_builds_of_one_target_do_not_interleave(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", generated_rows(40))
    clean = small_site(tmp_path / "clean", generated_rows(40))
    env = clean_env({"SOURCE_DATE_EPOCH": "1767225600"})
    processes = [subprocess.Popen(cli_command("build", "--source", site), env=env, cwd=REPO,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL) for _ in range(2)]
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    for code, out, err in outcomes:
        assert "Traceback" not in err, err
        assert code == 0 or "is writing" in err, (code, out, err)
    assert any(code == 0 for code, _, _ in outcomes)
    done = subprocess.run(cli_command("build", "--source", clean), env=env, cwd=REPO,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert tree_hashes(site / "dist" / "production") == tree_hashes(clean / "dist" / "production")
    assert sorted(p.name for p in (site / "dist").iterdir()) == ["production"]


HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, str(os.getpid()).encode())
print("locked", flush=True)
time.sleep(30)
"""


def test_a_held_lock_makes_the_second_build_wait_then_fail_naming_the_holder(
        tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    (site / "dist").mkdir()
    lock = site / "dist" / ".production.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = run_cli("build", "--source", site, env={"SITEGEN_LOCK_TIMEOUT": "1"})
        assert time.monotonic() - started < 60
        assert result.returncode == 1, str(result)
        assert result.err_lines == [
            f"sitegen: waiting for {lock} (held by pid {holder.pid}) ...",
            f"{lock}: another sitegen process (pid {holder.pid}) is writing "
            f"{site / 'dist' / 'production'}; gave up waiting after 1 s (wait for it to "
            "finish, or set SITEGEN_LOCK_TIMEOUT to wait longer)",
            "error: 1 problem found; nothing was written"]
        assert not (site / "dist" / "production").exists()
    finally:
        holder.kill()
        holder.wait()
    build(site)  # the kernel released the dead holder's lock
    assert sorted(p.name for p in (site / "dist").iterdir()) == ["production"]


# --- faults: a real process, a real error path ---------------------------------------------------

FAULTY = "from support import faultinject; faultinject.main()"


def run_faulty(args: list[str | os.PathLike[str]], fault: str, path: Path,
               after: int = 0) -> subprocess.CompletedProcess[str]:
    env = clean_env({"PYTHONPATH": f"{TESTS}{os.pathsep}{REPO}", "FAULTINJECT": fault,
                     "FAULTINJECT_PATH": str(path), "FAULTINJECT_AFTER": str(after)})
    return subprocess.run([sys.executable, "-c", FAULTY, *map(str, args)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL)


def test_a_full_disk_during_a_build_keeps_the_previous_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    describe(site, "Before the disk filled")
    build(site)
    before = tree_hashes(site / "dist" / "production")
    describe(site, "After the disk filled")
    result = run_faulty(["build", "--source", site], "ENOSPC", site / "dist", after=20_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    first, closing = result.stderr.splitlines()
    assert re.fullmatch(
        re.escape(str(site / "dist")) + r"/\.production\.tmp-\d+/\S+: cannot write: No space "
        r"left on device \((free some disk space|check disk space and permissions); the "
        r"previous output is unchanged\)", first), first
    assert closing == "error: 1 problem found; nothing was written"
    assert tree_hashes(site / "dist" / "production") == before
    assert sorted(p.name for p in (site / "dist").iterdir()) == ["production"]


def test_a_read_only_output_folder_keeps_the_previous_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    describe(site, "Before")
    build(site)
    before = tree_hashes(site / "dist" / "production")
    describe(site, "After")
    result = run_faulty(["build", "--source", site], "EROFS", site / "dist")
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"{site / 'dist' / '.production.lock'}: cannot create lock file: Read-only file system "
        "(check permissions; nothing was changed)",
        "error: 1 problem found; nothing was written"]
    assert tree_hashes(site / "dist" / "production") == before


def test_faults_during_publish_leave_the_live_release_untouched(tmp_path: Path) -> None:
    site, target = small_site(tmp_path / "site"), tmp_path / "www"
    build(site)
    assert run_cli("publish", "--source", site, "--to", target).returncode == 0
    live = os.readlink(target / "current")
    served = tree_hashes(target / "current")
    time.sleep(1.1)
    full = run_faulty(["publish", "--source", site, "--to", target], "ENOSPC", target,
                      after=20_000)
    assert full.returncode == 1, full.stderr
    first = full.stderr.splitlines()[0]
    assert re.fullmatch(re.escape(str(target)) + r"/releases/\.release\.tmp-\d+/\S+: cannot "
                        r"write: No space left on device \(free some disk space; the live "
                        r"release is unchanged\)", first), first
    read_only = run_faulty(["publish", "--source", site, "--to", target], "EROFS", target)
    assert read_only.returncode == 1
    assert read_only.stderr.splitlines()[0] == (
        f"{target / '.publish.lock'}: cannot create lock file: Read-only file system (check "
        "permissions; nothing was changed)")
    assert os.readlink(target / "current") == live
    assert tree_hashes(target / "current") == served
    assert len(releases(target)) == 1
    assert not list((target / "releases").glob(".*"))


def test_a_truncated_build_cache_is_discarded_with_a_warning(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    before = tree_hashes(site / "dist" / "production")
    cache = site / ".sitegen" / "cache" / "production.pickle"
    assert cache.is_file()
    cache.write_bytes(cache.read_bytes()[:40])
    result = build(site)
    warning = next(line for line in result.err_lines if "build cache" in line)
    assert re.fullmatch(
        r"\.sitegen/cache/production\.pickle: warning: build cache is unreadable "
        r"\((EOFError|UnpicklingError): [^)]*\); discarded, rebuilding everything "
        r"\(nothing to do\)", warning), warning
    assert tree_hashes(site / "dist" / "production") == before
    assert cache.is_file() and len(cache.read_bytes()) > 40


def _last_record_offset(path: Path) -> int:
    """Where the last pickle of a stream of pickles starts."""
    offsets = []
    with path.open("rb") as handle:
        while True:
            offsets.append(handle.tell())
            try:
                pickle.load(handle)
            except EOFError:
                return offsets[-2]


@pytest.mark.parametrize("cut", ["inside a record", "between records"])
def test_build_cache_details_cut_short_are_discarded_with_a_warning(tmp_path: Path,
                                                                   cut: str) -> None:
    """The details (pages, rows, near-duplicates) are a stream of chunks with an end marker:
    a stream cut anywhere is discarded, and the build renders everything again."""
    rows = generated_rows(4)
    site = small_site(tmp_path / "site", rows)
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    build(site, env=epoch)
    details = site / ".sitegen" / "cache" / "production-pages.pickle"
    rows[1]["phone"] = "(217) 555-0199"  # a change: the build reads the details
    small_site(site, rows)
    data = details.read_bytes()
    details.write_bytes(data[:-3] if cut == "inside a record" else
                        data[:_last_record_offset(details)])
    result = build(site, env=epoch)
    warning = next(line for line in result.err_lines if "build cache" in line)
    assert re.fullmatch(
        r"\.sitegen/cache/production-pages\.pickle: warning: build cache is unreadable "
        r"\((EOFError|UnpicklingError): [^)]*\); discarded, rebuilding everything "
        r"\(nothing to do\)", warning), warning
    clean = small_site(tmp_path / "clean", rows)
    build(clean, env=epoch)
    assert tree_hashes(site / "dist" / "production") == tree_hashes(clean / "dist" / "production")
