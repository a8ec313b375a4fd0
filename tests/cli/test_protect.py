"""Password protection: the crypto, the prompt page, share links, basic auth, and what the
staging output does (not) reveal."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

import bcrypt
import phonenumbers
import pytest
from support.envsites import (
    ENV,
    IMAGE_SUFFIXES,
    PASSWORD,
    build_env,
    example_site,
    files,
    invoke,
    key_of,
    source_rows,
)

from sitegen.config.load import load_config
from sitegen.config.policy import resolve_policy
from sitegen.diagnostics import SitegenError
from sitegen.output.hostconfig import htpasswd_line
from sitegen.output.protect import (
    PromptLook,
    Protection,
    check_basic_auth,
    derive_key,
    is_protected_path,
    load_protection,
    open_file,
    prompt_page,
    prompt_payload,
    unlock_url,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = example_site(tmp_path_factory.mktemp("protect") / "site")
    build_env(root, "staging")
    build_env(root, "production")
    return root


# --- crypto --------------------------------------------------------------------------------

def test_key_is_pbkdf2_sha256_like_webcrypto() -> None:
    salt = bytes(range(16))
    assert derive_key("pw", salt, 600_000) == hashlib.pbkdf2_hmac("sha256", b"pw", salt,
                                                                  600_000, 32)


def test_each_file_gets_its_own_nonce_and_decrypts() -> None:
    protection = Protection(bytes(32), bytes(16), 600_000)
    first, second = protection.encrypt(b"hello"), protection.encrypt(b"hello")
    assert first["iv"] != second["iv"] and first["data"] != second["data"]
    assert len(base64.b64decode(first["iv"])) == 12
    assert protection.decrypt(first) == protection.decrypt(second) == b"hello"
    assert first["sitegen_encrypted"] == 1 and first["iterations"] == 600_000
    other = Protection(b"\1" * 32, bytes(16), 600_000)
    with pytest.raises(SitegenError):
        other.decrypt(first)


def test_a_build_has_one_salt_and_the_right_password_reopens_it(site: Path) -> None:
    out = site / "dist" / "staging"
    meta = json.loads((out / "_sitegen" / "protection.json").read_text(encoding="utf-8"))
    salts = {json.loads(p.read_text(encoding="utf-8")).get("salt")
             for p in out.rglob("*.json") if p.name != "protection.json"
             and "sitegen_encrypted" in p.read_text(encoding="utf-8")[:40]}
    assert salts == {meta["salt"]}
    assert load_protection(out, PASSWORD).salt == base64.b64decode(meta["salt"])
    with pytest.raises(SitegenError, match="does not match this build"):
        load_protection(out, "not the password")


def test_iterations_below_600000_are_refused(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    staging = site / "config" / "staging.yaml"
    staging.write_text(staging.read_text(encoding="utf-8").replace(
        "mode: encrypt", "mode: encrypt\n  iterations: 100000"), encoding="utf-8")
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1
    assert "protection.iterations: input should be greater than or equal to 600000" \
        in result.stderr, result.output


def test_protected_paths() -> None:
    for rel in ("index.html", "404.html", "locations/markers.json", "feed.xml", "data.csv",
                "search.geojson", "llms.txt"):
        assert is_protected_path(rel), rel
    for rel in ("robots.txt", "_headers", ".htaccess", "vercel.json", "_sitegen/nginx.conf",
                "_sitegen/protection.json", "_sitegen/build.json", "_sitegen/output.json",
                "api/manifest.json",
                "_assets/js/unlock.js", "_assets/css/site.css", "images/logo.svg"):
        assert not is_protected_path(rel), rel


# --- the prompt page -----------------------------------------------------------------------

def test_prompt_page_is_accessible_and_holds_only_ciphertext(site: Path) -> None:
    policy = resolve_policy(load_config(site, "staging", environ=ENV), ENV)
    protection = Protection(bytes(32), bytes(16), 600_000)
    page = prompt_page(protection.encrypt(b"<h1>Secret Hayes Valley</h1>"), policy,
                       PromptLook("en", 7, unlock_url()))
    assert "Hayes" not in page
    assert '<label for="sitegen-password">Password</label>' in page
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    assert 'role="alert"' in page and 'type="submit"' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "STAGING: this is not the public site." in page
    assert "Remember me on this device for 7 days" in page
    assert open_file(protection, page.encode()) == b"<h1>Secret Hayes Valley</h1>"
    assert prompt_payload(page) is not None


def test_unlock_script_is_published_once_and_cache_busted(site: Path) -> None:
    out = site / "dist" / "staging"
    script = (out / "_assets" / "js" / "unlock.js").read_text(encoding="utf-8")
    assert "sitegenFetchJSON" in script and "crypto.subtle" in script
    assert unlock_url() in (out / "index.html").read_text(encoding="utf-8")
    assert not (site / "dist" / "production" / "_assets" / "js" / "unlock.js").exists()


# --- share links ---------------------------------------------------------------------------

def test_share_link_carries_the_key_of_the_current_build(site: Path, tmp_path: Path) -> None:
    result = invoke("share-link", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://staging.juniperoak.example/#token=")
    token = link.split("#token=")[1]
    out = site / "dist" / "staging"
    assert token == key_of(out).token
    key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert key == derive_key(PASSWORD, key_of(out).salt, 600_000)
    assert PASSWORD not in link
    # A new build draws a new salt: the old link no longer opens it.
    again = build_env(site, "staging", out=tmp_path / "again")
    newer = invoke("share-link", "--env", "staging", "--source", site, "--dir", again,
                   "--base-url", "http://127.0.0.1:8000", env=ENV)
    assert newer.exit_code == 0, newer.output
    assert newer.output.startswith("http://127.0.0.1:8000/#token=")
    assert newer.output.strip().split("#token=")[1] != token


def test_share_link_needs_an_encrypted_build_and_the_password(site: Path,
                                                            tmp_path: Path) -> None:
    no_password = invoke("share-link", "--env", "staging", "--source", site)
    assert no_password.exit_code == 1 and "SITEGEN_STAGING_PASSWORD" in no_password.stderr
    wrong = invoke("share-link", "--env", "staging", "--source", site,
                   env={"SITEGEN_STAGING_PASSWORD": "nope"})
    assert wrong.exit_code == 1 and "does not match this build" in wrong.stderr
    basic = invoke("share-link", "--env", "uat", "--source", site, env=ENV)
    assert basic.exit_code == 1 and "not protected with protection.mode: encrypt" in basic.stderr
    missing = invoke("share-link", "--env", "staging", "--source", site, "--dir",
                     tmp_path / "none", env=ENV)
    assert missing.exit_code == 1 and "no readable protection metadata" in missing.stderr


# --- basic auth ----------------------------------------------------------------------------

def test_check_basic_auth(site: Path) -> None:
    policy = resolve_policy(load_config(site, "uat", environ=ENV), ENV)
    good = "Basic " + base64.b64encode(f"staging:{PASSWORD}".encode()).decode()
    assert check_basic_auth(good, policy)
    for header in (None, "", "Basic", "Bearer x", "Basic !!!",
                   "Basic " + base64.b64encode(b"staging:wrong").decode(),
                   "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode(),
                   "Basic " + base64.b64encode(b"no-colon").decode()):
        assert not check_basic_auth(header, policy), header
    open_policy = resolve_policy(load_config(site, "production", environ=ENV), ENV)
    assert check_basic_auth(None, open_policy)


def test_htpasswd_line_is_bcrypt_apache_style() -> None:
    user, hashed = htpasswd_line("staging", "s3cret", rounds=4).split(":", 1)
    assert user == "staging" and hashed.startswith("$2y$04$")
    assert bcrypt.checkpw(b"s3cret", hashed.encode())
    assert not bcrypt.checkpw(b"other", hashed.encode())


# --- what the output reveals ---------------------------------------------------------------

def _forms(value: str) -> set[bytes]:
    """The ways a value can be written in HTML, JSON or XML."""
    forms = {value, html.escape(value), html.escape(value, quote=False),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {f.encode("utf-8") for f in forms if f}


# The password page shows the site's name (and logo) by design; two stores are named just that.
BRAND = _forms("Juniper & Oak Coffee")


def _phone_forms(raw: str, country: str) -> set[bytes]:
    out = _forms(raw)
    number = phonenumbers.parse(raw, country or "US")
    for style in (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL,
                  phonenumbers.PhoneNumberFormat.INTERNATIONAL):
        out |= _forms(phonenumbers.format_number(number, style))
    return out


def _plain_by_design(rel: str, site: Path) -> bool:
    """Theme static assets and content images may stay plain (documented)."""
    if rel.startswith("_assets/"):
        return rel.endswith((".css", ".js", ".woff", ".woff2", *IMAGE_SUFFIXES))
    return rel.endswith(IMAGE_SUFFIXES) and (site / "content" / rel).is_file()


def test_no_location_name_street_or_phone_anywhere_in_staging(site: Path) -> None:
    out = site / "dist" / "staging"
    written = files(out)
    searched = {rel: data for rel, data in written.items() if not _plain_by_design(rel, site)}
    assert len(searched) > 130  # every page, data file, host file and metadata file
    needles: dict[bytes, str] = {}
    for row in source_rows():
        for column in ("Store Name", "Address"):
            for form in _forms(row[column]) - BRAND:
                needles[form] = f"{row['store_code']} {column}"
        for form in _phone_forms(row["Phone"], row["Country"]):
            needles[form] = f"{row['store_code']} Phone"
    found = [(rel, what) for rel, data in searched.items()
             for needle, what in needles.items() if needle in data]
    assert found == []


def test_staging_hides_data_by_encryption_alone(tmp_path: Path) -> None:
    """Without masking, encryption still hides every name, street, phone and email."""
    site = example_site(tmp_path / "site")
    staging = site / "config" / "staging.yaml"
    text = staging.read_text(encoding="utf-8")
    assert "locations:\n  mask: [phone, email]\n" in text
    staging.write_text(text.replace("locations:\n  mask: [phone, email]\n", ""),
                       encoding="utf-8")
    out = build_env(site, "staging")
    searched = [data for rel, data in files(out).items() if not _plain_by_design(rel, site)]
    for row in source_rows():
        for value in (row["Store Name"], row["Address"], row["Phone"], row["Email"]):
            for form in _forms(value) - BRAND:
                assert not any(form in data for data in searched), value


def test_production_has_no_staging_password_token_or_banner(site: Path) -> None:
    token = key_of(site / "dist" / "staging").token
    production = files(site / "dist" / "production")
    for rel, data in production.items():
        assert PASSWORD.encode() not in data, rel
        assert token.encode() not in data, rel
        assert b"#token=" not in data, rel
        assert b"this is not the public site" not in data, rel
        assert b'class="env-banner"' not in data, rel
        assert b"sitegen-protected" not in data, rel
        assert b"example.invalid" not in data, rel
