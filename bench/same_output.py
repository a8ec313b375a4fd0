"""Is the example site's output the same, byte for byte, as another commit's?

A restructure must not change what a build writes. This script builds the repository's
example site (config/ locations/ content/ themes/) with one tree of sitegen, in every
environment it has, with a fixed SOURCE_DATE_EPOCH, and lists the sha256 of every file
written; then it does the same with another commit's tree (exported with `git archive`) and
compares the two lists.

What a protected build draws at random is compared by what it protects, not by its random
bytes: an encrypted build (staging) draws a salt and a nonce per file, so each prompt page and
each data envelope is compared by the plaintext inside it (decrypted here, with the password
and the salt the folder's `_sitegen/protection.json` records, by the `cryptography` library
directly: this script does not import sitegen, so it works on any commit's layout); the
random salt and check value of protection.json itself are left out. A basic-auth build (uat)
writes a bcrypt hash with a random salt: `.htpasswd` is compared by the user name and whether
the hash verifies the password. The build manifest lists each file's sha256 as written: an
entry of a file compared by its plaintext must match the file as written and is then compared
by that plaintext's digest. Everything else is compared as written.

    python bench/same_output.py --against 1d39db8          # this tree against a commit
    python bench/same_output.py --record /tmp/head.txt    # write this tree's list
    python bench/same_output.py --hashes /tmp/head.txt    # compare with a written list

Sites and builds go to a temporary folder outside the work tree. Exit code 0: the same.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import bcrypt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

REPO = Path(__file__).resolve().parents[1]
SITE_PARTS = ("config", "locations", "content", "themes")
ENVIRONMENTS = ("production", "staging", "development", "uat")
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
PASSWORD = "same-output-password"
ENVIRON = {"SOURCE_DATE_EPOCH": EPOCH, "SITEGEN_STAGING_PASSWORD": PASSWORD,
           "SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example.com/leads"}
PAYLOAD_OPEN = b'<script type="application/json" id="sitegen-protected">'
PAYLOAD_CLOSE = b"</script>"
ENVELOPE_KEY = "sitegen_encrypted"
MANIFEST = "api/manifest.json"


def build_trees(code: Path, work: Path) -> dict[str, Path]:
    """Build the example site with the sitegen of `code`, once per environment."""
    site = work / "site"
    for part in SITE_PARTS:
        shutil.copytree(REPO / part, site / part)
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR") if name in os.environ}
    env.update(ENVIRON, LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONPATH=str(code),
               PYTHONDONTWRITEBYTECODE="1")
    out = {}
    for name in ENVIRONMENTS:
        folder = work / "out" / name
        subprocess.run([sys.executable, "-m", "sitegen", "build", "--env", name, "--source",
                        str(site), "--out", str(folder), "--force", "--jobs", "2"],
                       env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
        out[name] = folder
    return out


def _key(folder: Path) -> bytes | None:
    meta = folder / "_sitegen" / "protection.json"
    if not meta.is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32,
                     salt=base64.b64decode(data["salt"]), iterations=int(data["iterations"]))
    return kdf.derive(PASSWORD.encode())


def _open(key: bytes, envelope: dict[str, object]) -> bytes:
    iv = base64.b64decode(str(envelope["iv"]))
    return AESGCM(key).decrypt(iv, base64.b64decode(str(envelope["data"])), None)


def comparable(rel: str, data: bytes, key: bytes | None) -> bytes:
    """The bytes that must not change: a file as written, minus what is drawn at random."""
    if rel == "_sitegen/protection.json":
        meta = json.loads(data)
        return json.dumps({k: v for k, v in meta.items() if k not in ("salt", "check")},
                          sort_keys=True).encode()
    if rel == ".htpasswd":
        user, _, hashed = data.decode().strip().partition(":")
        ok = bcrypt.checkpw(PASSWORD.encode(), hashed.replace("$2y$", "$2b$", 1).encode())
        return f"{user}:bcrypt of the password: {ok}".encode()
    if key is None:
        return data
    start = data.find(PAYLOAD_OPEN)
    if start >= 0:
        body = start + len(PAYLOAD_OPEN)
        end = data.find(PAYLOAD_CLOSE, body)
        inner = _open(key, json.loads(data[body:end]))
        return data[:body] + b"[decrypted]" + inner + data[end:]
    if data.lstrip().startswith(b"{") and ENVELOPE_KEY.encode() in data[:4096]:
        envelope = json.loads(data)
        if isinstance(envelope, dict) and envelope.get(ENVELOPE_KEY) == 1:
            return b"[decrypted envelope]" + _open(key, envelope)
    return data


def comparable_manifest(data: bytes, written: dict[str, str], same: dict[str, str]) -> bytes:
    """The manifest, with the size and sha256 it gives a file that `comparable` changed
    replaced by that file's comparable digest, when they are the size and sha256 of the file
    as written (else left as they are, to differ)."""
    manifest = json.loads(data)
    for entry in [*manifest.get("files", []), *manifest.get("pages", [])]:
        rel = entry.get("path") or entry.get("file")
        if rel in same and written[rel] != same[rel] and entry.get("sha256") == written[rel]:
            entry["sha256"] = "comparable " + same[rel]
            entry.pop("bytes", None)
    return json.dumps(manifest, sort_keys=True).encode()


def digest_list(trees: dict[str, Path]) -> list[str]:
    """`env/path sha256` for every file of every tree, sorted."""
    lines = []
    for name, folder in sorted(trees.items()):
        key = _key(folder)
        written: dict[str, str] = {}
        same: dict[str, str] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            written[rel] = hashlib.sha256(data).hexdigest()
            same[rel] = hashlib.sha256(comparable(rel, data, key)).hexdigest()
        manifest = folder / MANIFEST
        if manifest.is_file():
            same[MANIFEST] = hashlib.sha256(comparable_manifest(
                manifest.read_bytes(), written, same)).hexdigest()
        lines.extend(f"{name}/{rel} {digest}" for rel, digest in sorted(same.items()))
    return lines


def hashes_of(code: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="sitegen-same-") as work:
        return digest_list(build_trees(code, Path(work)))


def hashes_of_commit(revision: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="sitegen-rev-") as code:
        archive = subprocess.run(["git", "archive", revision], cwd=REPO, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", code], input=archive, check=True)
        return hashes_of(Path(code))


def compare(before: list[str], after: list[str]) -> list[str]:
    old = dict(line.rsplit(" ", 1) for line in before)
    new = dict(line.rsplit(" ", 1) for line in after)
    problems = [f"only before: {p}" for p in sorted(old.keys() - new.keys())]
    problems += [f"only after: {p}" for p in sorted(new.keys() - old.keys())]
    problems += [f"differs: {p}" for p in sorted(old.keys() & new.keys()) if old[p] != new[p]]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--against", metavar="REV", help="a commit to compare this tree with")
    group.add_argument("--hashes", type=Path, help="a list --record wrote, to compare with")
    group.add_argument("--record", type=Path, help="write this tree's list to this file")
    args = parser.parse_args(argv)
    mine = hashes_of(REPO)
    if args.record:
        args.record.write_text("\n".join(mine) + "\n", encoding="utf-8")
        print(f"{len(mine)} files listed in {args.record}")
        return 0
    theirs = hashes_of_commit(args.against) if args.against else \
        args.hashes.read_text(encoding="utf-8").split("\n")[:-1]
    problems = compare(theirs, mine)
    for line in problems:
        print(line)
    envs = sorted({line.split("/", 1)[0] for line in mine})
    print(f"{len(mine)} files in {', '.join(envs)}: "
          f"{'the same' if not problems else f'{len(problems)} differences'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
