"""What a protected build may contain, as an allowlist: encrypted pages and data files, the
files its policy writes (robots.txt, host config, build metadata, unlock.js), and static
assets that are registered by path and content hash (the themes' static files, the
vendored Leaflet files, the content's files, as their sources hold them) and referenced by
its pages (directly, or from a stylesheet or script they load). A resized location photo
(`_assets/img/`, named by its source's hash) is registered by being a raster image a page
references. Any other file is an error naming it: a stray `.pdf`, `.tsv` or `.yaml` from
`content/`, a script no page loads, a file changed after the build.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from sitegen.audit.context import PagesSeen, TreeFacts
from sitegen.audit.findings import finding
from sitegen.diagnostics import Diagnostic
from sitegen.output.hostconfig import HOST_FILES
from sitegen.output.manifest import MANIFEST
from sitegen.output.outdir import MARKER as OUTPUT_MARKER
from sitegen.output.protect import BUILD_FILE, PROTECTION_FILE, UNLOCK_JS, is_protected_path

POLICY_FILES = frozenset({"robots.txt", BUILD_FILE, PROTECTION_FILE, OUTPUT_MARKER, MANIFEST,
                          UNLOCK_JS, *HOST_FILES})
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico")
DERIVED_IMAGES = "_assets/img/"
RASTER_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")
CSS_REF = re.compile(r"url\(\s*[\"']?([^\"')\s]+)|@import\s+[\"']([^\"']+)", re.IGNORECASE)
ASSET_REF = re.compile(r"/_assets/[^\"'\s?#<>)`]+")


def _raster(data: bytes) -> bool:
    return data.startswith(RASTER_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP") \
        or data[4:12] in (b"ftypavif", b"ftypavis")


def _references(rel: str, text: str) -> set[str]:
    """The site files a stylesheet or script names (relative url()s resolved)."""
    found = {ref.lstrip("/") for ref in ASSET_REF.findall(text)}
    if rel.endswith(".css"):
        for match in CSS_REF.finditer(text):
            ref = (match.group(1) or match.group(2)).split("#")[0].split("?")[0]
            if not ref or ref.startswith(("data:", "http:", "https:", "//")):
                continue
            found.add(ref.lstrip("/") if ref.startswith("/")
                      else posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref)))
    return found


def referenced(root: Path, present: set[str], names: set[str]) -> set[str]:
    """Every file the pages name (`names`: site paths), and what the stylesheets and
    scripts among them name, transitively."""
    seen = {ref.lstrip("/") for ref in names}
    todo = [rel for rel in seen if rel.endswith((".css", ".js", ".mjs"))]
    while todo:
        rel = todo.pop()
        if rel not in present:
            continue
        text = (root / rel).read_text(encoding="utf-8", errors="replace")
        for ref in _references(rel, text) - seen:
            seen.add(ref)
            if ref.endswith((".css", ".js", ".mjs")):
                todo.append(ref)
    return seen


def unused_assets(root: Path, files: list[str], pages: PagesSeen) -> list[str]:
    """The theme and vendored static files (`_assets/`) no page of the folder uses: a
    non-public build does not ship them (the consent and tracking scripts of a build
    without analytics, a theme's unused files)."""
    used = referenced(root, set(files), pages.assets)
    return [rel for rel in files
            if rel.startswith("_assets/") and rel != UNLOCK_JS and rel not in used]


def unlisted_files(t: TreeFacts) -> list[Diagnostic]:
    registered = t.guard.registered
    used = referenced(t.root, t.present, t.pages.assets)
    out = []
    for rel in t.files:
        if rel in POLICY_FILES or is_protected_path(rel):
            continue  # the encryption of pages and data files is judged by their rules
        data = (t.root / rel).read_bytes()
        content = not rel.startswith("_assets/")
        image = rel.lower().endswith(IMAGE_SUFFIXES)
        # A content image is registered by its source alone (the marker data and the
        # views' scripts name location photos no page links to); a theme asset must be used.
        if (rel in used or (content and image)) and not (content and not image) \
                and registered.get(rel) == hashlib.sha256(data).hexdigest():
            continue
        if rel in used and rel.startswith(DERIVED_IMAGES) and _raster(data):
            continue
        why = ("is a content file that would be published unencrypted"
               if rel in registered and content and not rel.lower().endswith(IMAGE_SUFFIXES)
               else "is not referenced by any page" if rel not in used and rel in registered
               else "does not match its source" if rel in registered
               else "is not a file sitegen ships")
        out.append(finding(rel, "guard.unlisted-file",
                           f"plain file in the protected build '{t.policy.name}' {why}",
                           "a protected build holds only encrypted pages and data, the static "
                           "assets its pages use and the files its policy writes: remove it "
                           "(content files other than images are not published in a "
                           "protected build)"))
    return out
