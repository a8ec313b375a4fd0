"""Private paths: an encrypted build names no location, street, city, phone or id in any
file or folder name or any plain byte; links, marker data and share links follow the
private names; the manifest lists no URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import phonenumbers
import pytest
from support.envsites import ENV, PASSWORD, build_env, example_site, invoke, key_of, source_rows
from support.sites import generated_rows, small_site

from sitegen.audit.links import link_targets
from sitegen.model.urls import slug
from sitegen.output.private import PARALLEL_MIN_FILES, PathKey
from sitegen.output.protect import open_file, parse_envelope, prompt_payload

# The password page shows the site's name by design; two stores are named just that.
BRAND = "Juniper & Oak Coffee"
COLUMNS = ("store_code", "Store Name", "Address", "City", "Phone", "Neighbourhood")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with unmasked staging data (so phones are in the pages too)."""
    root = example_site(tmp_path_factory.mktemp("private") / "site")
    staging = root / "config" / "staging.yaml"
    text = staging.read_text(encoding="utf-8")
    assert "locations:\n  mask: [phone, email]\n" in text
    staging.write_text(text.replace("locations:\n  mask: [phone, email]\n", ""),
                       encoding="utf-8")
    build_env(root, "staging")
    return root


# A run of base64 this long is an encrypted payload (random bytes): a value's letters can turn
# up in it by chance (one in a few thousand builds of this site), never as the value.
CIPHERTEXT = re.compile(rb"[A-Za-z0-9+/]{64,}={0,2}")


def _plain_bytes(data: bytes) -> bytes:
    """A file's bytes without its base64 ciphertext."""
    return CIPHERTEXT.sub(b"", data)


def _tree(root: Path) -> tuple[dict[str, bytes], set[str]]:
    files = {p.relative_to(root).as_posix(): p.read_bytes()
             for p in sorted(root.rglob("*")) if p.is_file()}
    folders = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
    return files, folders


def _values() -> dict[str, tuple[str, set[str]]]:
    """Each value of the dataset, what it is, and the ways a page may write it."""
    values = {}
    for row in source_rows():
        for column in COLUMNS:
            value = row[column].strip()
            if not value or value == BRAND:
                continue
            forms = {value, value.replace("&", "&amp;"), json.dumps(value)[1:-1]}
            if column == "Phone":
                number = phonenumbers.parse(value, row["Country"])
                forms |= {phonenumbers.format_number(number, style) for style in (
                    phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL,
                    phonenumbers.PhoneNumberFormat.INTERNATIONAL)}
            values[value] = (f"{row['store_code']} {column}", forms)
    return values


def _plain_pattern(forms: set[str]) -> re.Pattern[bytes]:
    """Any of the forms as a whole word, any case."""
    alternatives = b"|".join(re.escape(form.encode("utf-8")) for form in forms)
    return re.compile(rb"(?<![A-Za-z0-9])(?:" + alternatives + rb")(?![A-Za-z0-9])",
                      re.IGNORECASE)


WORD = re.compile(rb"[a-z0-9]+")


def _words(data: bytes) -> set[bytes]:
    """The runs of ASCII letters and digits of `data`, lower case."""
    return set(WORD.findall(data.lower()))


def _may_match(forms: set[str], words: set[bytes]) -> bool:
    """False only where `_plain_pattern(forms)` cannot match a text of these words: a form
    found as a whole word, any (ASCII) case, brings each of its own runs of letters and
    digits as a whole run. Saves running every pattern over every file."""
    return any(_words(form.encode("utf-8")) <= words for form in forms)


def test_no_location_value_in_any_name_or_plain_byte(site: Path) -> None:
    out = site / "dist" / "staging"
    files, folders = _tree(out)
    assert len(files) > 200
    protection = key_of(out)
    decrypted = b"\n".join(open_file(protection, data) or b"" for data in files.values())
    plain = {rel: _plain_bytes(data) for rel, data in files.items()}
    words = {rel: _words(data) for rel, data in plain.items()}
    plain_words = _words(decrypted)
    found = []
    for value, (what, forms) in _values().items():
        pattern, name = _plain_pattern(forms), slug(value)
        # The decrypted build holds each value: the search below can find what it looks for
        # (and its filter lets it through).
        assert _may_match(forms, plain_words) and pattern.search(decrypted), \
            f"{what} is not in the decrypted build"
        found += [(rel, what) for rel, data in plain.items()
                  if _may_match(forms, words[rel]) and pattern.search(data)]
        found += [(rel, what) for rel in [*files, *folders] if name in rel.lower()
                  or value.lower() in rel.lower()]
    assert found == []


def test_pages_links_and_markers_follow_the_private_names(site: Path) -> None:
    out = site / "dist" / "staging"
    files, _ = _tree(out)
    protection = key_of(out)
    paths = PathKey.derive(PASSWORD, "staging", protection.iterations)
    hub = paths.page_url("/locations/ca/bc/victoria/")
    page = open_file(protection, (out / hub.lstrip("/") / "index.html").read_bytes())
    assert page is not None
    text = page.decode("utf-8")
    assert ('Private preview of <code data-sitegen-production-url>'
            'https://www.juniperoak.example/locations/ca/bc/victoria/</code>') in text
    location = paths.page_url("/locations/ca/bc/victoria/juniper-oak-coffee-1012-fort-st/")
    assert f'href="{location}"' in text
    # Every site link of every page names a file of the private build.
    for rel, data in files.items():
        plain = open_file(protection, data) if rel.endswith(".html") else None
        for target in link_targets(plain or b"", (plain or b"").lower()):
            if target.startswith("/") and not target.startswith("//"):
                path = target.lstrip("/")
                assert path in files or f"{path}index.html" in files or \
                    f"{path}/index.html" in files, (rel, target)
    markers = [value for data in files.values()
               if (plain := open_file(protection, data)) and plain.startswith(b'{"v":1,')
               and "locs" in (value := json.loads(plain))]
    assert len(markers) == 1
    fields = markers[0]["fields"]
    hrefs = {row[fields.index("href")] for row in markers[0]["locs"]}
    assert location in hrefs and len(hrefs) == 64
    assert all(href.lstrip("/") + "index.html" in files for href in hrefs)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value \
        if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


def test_data_files_link_to_the_private_names(site: Path) -> None:
    """The feeds' links to location pages and photos (JSON and GeoJSON, by site path or by
    the staging URL; the CSV by the staging URL) name the files' private paths; the marker
    data keeps its production prefixes by design (its rows gain their private `href`)."""
    out = site / "dist" / "staging"
    files, _ = _tree(out)
    protection = key_of(out)
    base = "https://staging.juniperoak.example"  # config/staging.yaml
    links: dict[str, list[str]] = {}
    for rel, data in files.items():
        plain = None if rel.endswith(".html") else open_file(protection, data)
        if plain is None:
            continue
        if not plain.lstrip().startswith((b"{", b"[")):
            links[rel] = [url.decode().removeprefix(base) for url in
                          re.findall(re.escape(base.encode()) + rb"/[^\s\",]*", plain)]
            continue
        value = json.loads(plain)
        if isinstance(value, dict) and "locs" in value:
            continue
        links[rel] = [path for text in _strings(value)
                      if (path := text.removeprefix(base)).startswith("/")
                      and not path.startswith("//")]
    assert sum(map(len, links.values())) >= 3 * 64  # the JSON, GeoJSON and CSV feeds
    assert [(rel, link) for rel, found in links.items() for link in found
            if link.lstrip("/") not in files and link.lstrip("/") + "index.html" not in files
            ] == []


def test_images_of_locations_and_content_are_encrypted(site: Path) -> None:
    out = site / "dist" / "staging"
    files, _ = _tree(out)
    assert not (out / "images" / "stores").exists()
    assert not [rel for rel in files if rel.startswith("_assets/img/")]
    protection = key_of(out)
    typed = {}
    for data in files.values():
        envelope = parse_envelope(data)
        if envelope and "type" in envelope:
            typed[envelope["type"]] = typed.get(envelope["type"], 0) + 1
            assert protection.decrypt(envelope)
    assert typed.get("image/svg+xml", 0) >= 20 and typed.get("image/avif", 0) >= 6
    paths = PathKey.derive(PASSWORD, "staging", protection.iterations)
    page = open_file(protection, (out / paths.page_url(
        "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/").lstrip("/")
        / "index.html").read_bytes())
    assert page is not None
    assert b"data-sitegen-srcset=" in page and b"data-sitegen-src=" in page
    # The brand stays plain: the password page shows the logo.
    assert (out / "images" / "logo.svg").is_file()


def test_manifest_lists_no_urls_and_check_passes(site: Path) -> None:
    out = site / "dist" / "staging"
    manifest = json.loads((out / "api" / "manifest.json").read_bytes())
    assert manifest["pages"] and all(set(entry) == {"file", "sha256"}
                                     for entry in manifest["pages"])
    assert {entry["path"] for entry in manifest["files"]} | {"api/manifest.json"} == \
        set(_tree(out)[0])
    assert b"/locations/" not in (out / "api" / "manifest.json").read_bytes()
    result = invoke("check", "--env", "staging", out, env=ENV)
    assert result.exit_code == 0, result.output


def test_share_link_opens_a_page_by_its_production_path(site: Path) -> None:
    out = site / "dist" / "staging"
    result = invoke("share-link", "--env", "staging", "--source", site,
                    "/locations/ca/bc/victoria/", env=ENV)
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    paths = PathKey.derive(PASSWORD, "staging", key_of(out).iterations)
    opaque = paths.page_url("/locations/ca/bc/victoria/")
    assert link == f"https://staging.juniperoak.example{opaque}#token={key_of(out).token}"
    assert "victoria" not in link
    missing = invoke("share-link", "--env", "staging", "--source", site, "/nowhere/", env=ENV)
    assert missing.exit_code == 1
    assert "PATH: no page of this build is at /nowhere/" in missing.stderr


def test_names_are_stable_for_a_password_and_change_with_it(site: Path,
                                                           tmp_path: Path) -> None:
    first = set(_tree(site / "dist" / "staging")[0])
    again = set(_tree(build_env(site, "staging", out=tmp_path / "again"))[0])
    assert again == first
    other = set(_tree(build_env(site, "staging", {**ENV, "SITEGEN_STAGING_PASSWORD":
                                                  "another long passphrase"},
                                out=tmp_path / "other"))[0])
    assert "robots.txt" in other and len(other) == len(first)
    assert len(other & first) < 60  # the theme's assets and the fixed names only


def test_private_paths_can_be_turned_off(site: Path, tmp_path: Path) -> None:
    out = build_env(site, "staging", {**ENV, "SITEGEN_PROTECTION__PRIVATE_PATHS": "false"},
                    out=tmp_path / "named")
    assert (out / "locations" / "ca" / "bc" / "victoria" / "index.html").is_file()
    assert b'"url":"/locations/' in (out / "api" / "manifest.json").read_bytes()


def test_a_large_build_is_made_private_alike_in_one_or_two_processes(tmp_path: Path) -> None:
    """Over PARALLEL_MIN_FILES files, the files are renamed, rewritten and sealed again in
    forked processes: the same names, and pages that open to the same text, as in one."""
    site = small_site(tmp_path / "site", generated_rows(PARALLEL_MIN_FILES), extra={
        "config/staging.yaml": "protection:\n  mode: encrypt\n"
                               "base_url: https://staging.example.com\n"})
    trees = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        result = invoke("build", "--env", "staging", "--source", site, "--out", out,
                        "--jobs", jobs, env=ENV)
        assert result.exit_code == 0, result.output
        key = key_of(out)
        pages = {}
        for path in sorted(out.rglob("*.html")):
            payload = prompt_payload(path.read_text(encoding="utf-8"))
            if payload is not None:
                pages[path.relative_to(out).as_posix()] = key.decrypt(payload)
        trees.append(({p.relative_to(out).as_posix() for p in out.rglob("*")}, pages))
    assert len(trees[0][0]) > PARALLEL_MIN_FILES
    assert len(trees[0][1]) > PARALLEL_MIN_FILES // 2
    assert trees[0] == trees[1]
