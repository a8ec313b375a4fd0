"""Password protection that works on any static host (`protection.mode: encrypt`).

Design (documented decisions):

- **Key.** One 256-bit key per build, derived from the password with PBKDF2-HMAC-SHA256,
  `protection.iterations` rounds (>= 600,000) and a random 16-byte salt. The key is derived
  ONCE per build (it is slow by design), in the parent before the render workers fork: they
  seal each page as they write it (`Sealer`), and `protect_tree` then seals the files the
  parent wrote.
  Each file is encrypted with AES-256-GCM and its own random 12-byte nonce. Because salt
  and nonces are random, two builds of a protected environment
  are NOT byte-identical (accepted for staging; unprotected builds such as production stay
  byte-identical).
- **What is encrypted.** Every HTML page, and every data file the build writes (.json,
  .geojson, .csv, .xml, .txt, .ics, .vcf), except `robots.txt`, the host config files
  (hostconfig.py), the non-secret metadata (`_sitegen/build.json`, `_sitegen/protection.json`,
  the output marker `_sitegen/output.json`, the build manifest `api/manifest.json`: paths
  and hashes) and the theme's static assets in `_assets/` (CSS, JS, images stay plain, like
  content images). URL paths are not secret: folder names come from slugs.
- **Pages.** Each page is replaced by a small prompt page: banner, label, password field,
  submit button, a role=alert error region, `noindex` and the ciphertext. `/_assets/js/
  unlock.js` derives the key with WebCrypto, decrypts and renders the real page with
  `document.open(); document.write(html); document.close()`, so its own scripts run. The
  decrypted page gets a `<script src=".../unlock.js">` so its scripts can call
  `window.sitegenFetchJSON(url)` / `window.sitegenFetchText(url)`.
- **Data files** become a JSON envelope `{"sitegen_encrypted": 1, "iv": ..., "data": ...,
  "salt": ..., "iterations": ...}`; `sitegenFetchJSON` decrypts envelopes with the session key
  and passes plain JSON through, so the same view script works in every environment.
- **Session.** The derived key (raw, base64) is kept in sessionStorage with the build's salt:
  unlocking once unlocks every page for the browser session. With `protection.remember_days`
  > 0 the prompt offers "remember me" (localStorage, with an expiry).
- **Share links.** `sitegen share-link` prints `<base url>/#token=<base64url of the derived
  key>`. The token is computed with the salt of the current build, read from the non-secret
  `dist/<env>/_sitegen/protection.json`; the fragment never reaches the server. The token
  unlocks this build only: the next build draws a new salt and old links stop working.
  The token is a key, not the password: it cannot be turned back into the password.
- The password comes only from `$SITEGEN_STAGING_PASSWORD` (or `protection.password_env`).

`protection.mode: basic-auth` is handled by hostconfig.py; `check_basic_auth` here is the
helper the dev server uses to enforce it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.config.themes import BUILTIN_THEME
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.jsontext import compact, loads
from sitegen.output.hostconfig import HOST_FILES
from sitegen.output.outdir import MARKER as OUTPUT_MARKER
from sitegen.render.branding import Brand, Logo
from sitegen.render.i18n import N_, text_direction, translations

ENVELOPE_KEY = "sitegen_encrypted"
PROTECTION_FILE = "_sitegen/protection.json"
BUILD_FILE = "_sitegen/build.json"
UNLOCK_JS = "_assets/js/unlock.js"
UNLOCK_SOURCE = Path(__file__).parents[1] / "themes" / "default" / "protect" / "unlock.js"
PROTECTED_SUFFIXES = (".html", ".htm", ".json", ".geojson", ".csv", ".xml", ".txt", ".ics",
                      ".vcf")
# Plain by design: crawler and host files, and build metadata without page text (the build
# manifest lists paths and hashes, which deploy tools read; paths are not secret).
BUILD_MANIFEST = "api/manifest.json"
PLAIN_FILES = frozenset({"robots.txt", PROTECTION_FILE, BUILD_FILE, BUILD_MANIFEST,
                         OUTPUT_MARKER, *HOST_FILES})
PLAIN_PREFIXES = ("_assets/",)
PAYLOAD_ID = "sitegen-protected"
PAYLOAD_OPEN = f'<script type="application/json" id="{PAYLOAD_ID}">'
PAYLOAD_CLOSE = "</script>"
# The payload as a pattern, for tools that rewrite it; prompt_payload finds the same text with
# str.find (a lazy `.*?` crawls the ~100 kB of ciphertext, and the audit reads every page).
PAYLOAD = re.compile(re.escape(PAYLOAD_OPEN) + "(.*?)" + PAYLOAD_CLOSE, re.DOTALL)
CHECK_TEXT = b"sitegen protection check"
SALT_BYTES = 16
NONCE_BYTES = 12


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def derive_key(password: str, salt: bytes, iterations: int) -> bytes:
    """PBKDF2-HMAC-SHA256 to a 32-byte AES key; the same as WebCrypto's deriveBits in unlock.js.
    (cryptography is imported by what encrypts or decrypts, not by every build.)"""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


@dataclass(frozen=True)
class Protection:
    """The key of one build, with the salt and iteration count it was derived with."""

    key: bytes
    salt: bytes
    iterations: int

    @classmethod
    def new(cls, password: str, iterations: int) -> Protection:
        salt = os.urandom(SALT_BYTES)
        return cls(derive_key(password, salt, iterations), salt, iterations)

    @property
    def token(self) -> str:
        """The share-link token: the derived key, base64url without padding."""
        return b64url(self.key)

    def encrypt(self, data: bytes) -> dict[str, Any]:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, data, None)
        return {ENVELOPE_KEY: 1, "alg": "AES-256-GCM", "kdf": "PBKDF2-SHA256",
                "iterations": self.iterations, "salt": b64(self.salt), "iv": b64(nonce),
                "data": b64(sealed)}

    def decrypt(self, envelope: dict[str, Any]) -> bytes:
        """Plaintext of an envelope; SitegenError when it was sealed with another key."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(self.key).decrypt(unb64(envelope["iv"]), unb64(envelope["data"]), None)
        except (InvalidTag, KeyError, TypeError, ValueError, binascii.Error):
            raise SitegenError(Diagnostic(
                PROTECTION_FILE, None, "protection", "cannot decrypt: wrong password or key",
                "use the password this folder was built with")) from None

    def metadata(self, policy: Policy) -> bytes:
        """`_sitegen/protection.json`: salt and iterations (not secret) and a check value."""
        data = {"format": 1, "environment": policy.name, "mode": "encrypt",
                "kdf": "PBKDF2-SHA256", "iterations": self.iterations, "salt": b64(self.salt),
                "cipher": "AES-256-GCM", "check": self.encrypt(CHECK_TEXT)}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def load_protection(folder: Path, password: str) -> Protection:
    """Re-derive a built folder's key from its protection.json; refuses a wrong password."""
    path = folder / PROTECTION_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        salt, iterations = unb64(data["salt"]), int(data["iterations"])
    except (OSError, ValueError, KeyError, TypeError, binascii.Error):
        raise SitegenError(Diagnostic(
            str(path), None, None, "no readable protection metadata in this folder",
            "build the environment with protection.mode: encrypt first")) from None
    protection = Protection(derive_key(password, salt, iterations), salt, iterations)
    try:
        ok = protection.decrypt(data["check"]) == CHECK_TEXT
    except (SitegenError, KeyError, TypeError):
        ok = False
    if not ok:
        raise SitegenError(Diagnostic(
            str(path), None, "protection", "the password does not match this build",
            "use the password the folder was built with (the variable in "
            "protection.password_env)"))
    return protection


def envelope_bytes(envelope: dict[str, Any]) -> bytes:
    """Compact JSON, `sitegen_encrypted` first and the ciphertext last (insertion order);
    by orjson (jsontext.py), which escapes a page's ciphertext far faster than json."""
    return compact(envelope)


def may_be_envelope(head: bytes) -> bool:
    """Whether a data file starting with `head` (its first 4 KB or more) can hold an
    envelope: the only part of a file parse_envelope looks at before parsing it whole."""
    return head[:200].lstrip().startswith(b"{") and ENVELOPE_KEY.encode() in head[:4096]


def parse_envelope(data: bytes) -> dict[str, Any] | None:
    """The envelope a data file holds, or None for a plain file."""
    if not may_be_envelope(data):
        return None
    try:
        value = loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) and value.get(ENVELOPE_KEY) == 1 else None


def prompt_payload(text: str) -> dict[str, Any] | None:
    """The envelope inside a prompt page, or None when the page is not a prompt page."""
    start = text.find(PAYLOAD_OPEN)
    if start < 0:
        return None
    start += len(PAYLOAD_OPEN)
    end = text.find(PAYLOAD_CLOSE, start)
    if end < 0:
        return None
    try:
        value = loads(text[start:end])
    except ValueError:
        return None
    return value if isinstance(value, dict) and value.get(ENVELOPE_KEY) == 1 else None


def open_file(protection: Protection, data: bytes) -> bytes | None:
    """The plaintext of a prompt page or an envelope; None when the file is not encrypted."""
    if PAYLOAD_ID.encode() in data:
        payload = prompt_payload(data.decode("utf-8", errors="replace"))
        if payload is not None:
            return protection.decrypt(payload)
    envelope = parse_envelope(data)
    return protection.decrypt(envelope) if envelope is not None else None


def is_protected_path(rel: str) -> bool:
    """Whether the encrypt mode encrypts this output file (see the module docstring)."""
    return (rel.lower().endswith(PROTECTED_SUFFIXES) and rel not in PLAIN_FILES
            and not rel.startswith(PLAIN_PREFIXES))


def unlock_script() -> bytes:
    return UNLOCK_SOURCE.read_bytes()


def unlock_url() -> str:
    version = hashlib.sha256(unlock_script()).hexdigest()[:10]
    return f"/{UNLOCK_JS}?v={version}"


def with_unlock_script(page: str, src: str) -> str:
    """The real page plus unlock.js (for sitegenFetchJSON), placed before its other scripts."""
    tag = f'<script src="{src}"></script>\n'
    match = re.search(r"</head\s*>", page, re.IGNORECASE)
    if match is None:
        return tag + page
    return page[:match.start()] + tag + page[match.start():]


# The brand's colours (branding.py sets these custom properties) with plain defaults.
PROMPT_STYLE = """
:root{font-family:var(--font,system-ui,-apple-system,"Segoe UI",sans-serif)}
body{margin:0;background:var(--panel,#f4f4f2);color:var(--ink,#1b1b1b);line-height:1.5}
.env-banner{background:#7a1f1f;color:#fff;padding:.4rem 1rem;font-size:.9rem;text-align:center}
.prompt-brand{display:flex;align-items:center;gap:.6rem;margin:0;padding:.75rem 1rem;
background:var(--header-bg,#fff);color:var(--header-ink,#1b1b1b);font-weight:700;
font-size:1.15rem;font-family:var(--font-headings,inherit);
border-bottom:4px solid var(--decor,#ccc)}
.prompt-brand img{height:2.5rem;width:auto}
main{max-width:26rem;margin:10vh auto;padding:2rem;background:var(--bg,#fff);border-radius:.5rem;
box-shadow:0 1px 4px rgba(0,0,0,.15);border-top:4px solid var(--accent,#1a5fb4)}
h1{font-size:1.5rem;margin:0 0 .5rem;font-family:var(--font-headings,inherit)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=password]{box-sizing:border-box;width:100%;font:inherit;padding:.55rem;
border:2px solid var(--muted,#555);border-radius:.3rem;background:#fff;color:#1b1b1b}
input:focus,button:focus{outline:3px solid #f5b700;outline-offset:2px}
.remember{display:flex;gap:.5rem;align-items:center;margin-top:.75rem}
.remember label{display:inline;font-weight:400;margin:0}
button{margin-top:1rem;font:inherit;font-weight:600;padding:.55rem 1.2rem;border:0;
border-radius:.3rem;background:var(--accent,#1a5fb4);color:var(--accent-ink,#fff);cursor:pointer}
.error{color:#a51d2d;font-weight:600;min-height:1.5em;margin:.75rem 0 0}
.status{min-height:1.5em;margin:.25rem 0 0}
.sitegen-auto .sitegen-prompt{visibility:hidden;animation:sitegen-reveal 0s 4s forwards}
@keyframes sitegen-reveal{to{visibility:visible}}
"""

PROMPT_AUTO = ('<script>try{if(sessionStorage.getItem("sitegen-key")||'
               'localStorage.getItem("sitegen-key")||/[#&]token=/.test(location.hash))'
               '{document.documentElement.className="sitegen-auto";}}catch(e){}</script>')


@dataclass(frozen=True)
class PromptLook:
    """How the password page reads and looks: its language, the remember-me days, the unlock
    script, and the site's brand (its name, logo and the theme's custom properties)."""

    language: str
    remember_days: int
    script_src: str
    site_name: str = ""
    logo: Logo | None = None
    css: str = ""


# What unlock.js says, by key: the page hands the script these in its language.
SCRIPT_TEXTS = {
    "https_only": N_("This private preview can only be opened over HTTPS."),
    "stale_link": N_("This link does not open the current version of the site. Enter the "
                     "password instead."),
    "enter_password": N_("Enter the password."),
    "unlocking": N_("Unlocking…"),
    "wrong_password": N_("Wrong password. Check it and try again."),
}


def prompt_page(envelope: dict[str, Any], policy: Policy, look: PromptLook) -> str:
    """The small page that replaces a protected page: it holds only the ciphertext. In
    `look.language`, through the default theme's catalog (render/i18n.py)."""
    head, tail = prompt_frame(policy, look)
    return head + envelope_bytes(envelope).decode() + tail


def prompt_frame(policy: Policy, look: PromptLook) -> tuple[str, str]:
    """The prompt page before and after its ciphertext: the same for every page of a build
    (a Sealer makes it once)."""
    catalog = translations([BUILTIN_THEME], look.language)
    _ = catalog.gettext
    remember_days = look.remember_days
    banner = ""
    if policy.banner:
        label = html.escape(_("Environment"))
        banner = (f'<div class="env-banner" role="note" aria-label="{label}">'
                  + html.escape(_("%(banner)s: this is not the public site.")
                                % {"banner": policy.banner}) + '</div>\n')
    brand = ""
    if look.site_name or look.logo:
        logo = ""
        if look.logo:
            size = (f' width="{look.logo.width}" height="{look.logo.height}"'
                    if look.logo.width else "")
            logo = f'<img src="{html.escape(look.logo.src)}" alt=""{size}>'
        brand = f'<p class="prompt-brand">{logo}<span>{html.escape(look.site_name)}</span></p>\n'
    remember = ""
    if remember_days:
        label = catalog.ngettext("Remember me on this device for %(num)d day",
                                 "Remember me on this device for %(num)d days",
                                 remember_days) % {"num": remember_days}
        remember = ('<div class="remember"><input type="checkbox" id="sitegen-remember" '
                    f'name="remember"><label for="sitegen-remember">{html.escape(label)}'
                    '</label></div>\n')
    texts = compact({key: _(text) for key, text in SCRIPT_TEXTS.items()}).decode() \
        .replace("<", "\\u003c")
    rtl = ' dir="rtl"' if text_direction(look.language) == "rtl" else ""
    title, password = html.escape(_("Password required")), html.escape(_("Password"))
    private = html.escape(_("This preview is private. Enter the password you were given to "
                            "view it."))
    unlock = html.escape(_("Unlock"))
    noscript = html.escape(_("This preview needs JavaScript to decrypt its pages."))
    head = f"""<!doctype html>
<html lang="{html.escape(look.language)}"{rtl}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="{html.escape(policy.robots_meta or 'noindex, nofollow')}">
<title>{title}</title>
<style>{PROMPT_STYLE}{look.css}</style>
{PROMPT_AUTO}
</head>
<body>
{banner}{brand}<main id="main" class="sitegen-prompt">
<h1>{title}</h1>
<p>{private}</p>
<form id="sitegen-unlock" data-remember-days="{remember_days}">
<input type="text" name="username" autocomplete="username" value="{html.escape(policy.name)}" \
hidden>
<label for="sitegen-password">{password}</label>
<input id="sitegen-password" name="password" type="password" autocomplete="current-password" \
required aria-describedby="sitegen-error">
{remember}<button type="submit">{unlock}</button>
<p id="sitegen-error" class="error" role="alert"></p>
<p id="sitegen-status" class="status" role="status"></p>
</form>
<noscript><p>{noscript}</p></noscript>
</main>
<script type="application/json" id="sitegen-prompt-strings">{texts}</script>
<script type="application/json" id="{PAYLOAD_ID}">"""
    tail = f"""</script>
<script src="{look.script_src}"></script>
</body>
</html>
"""
    return head, tail


@dataclass(frozen=True)
class Sealer:
    """Turns one output file into its encrypted form. Made once per build in the parent (the
    one key derivation), so the forked render workers seal each page right after rendering it
    and `protect_tree` seals the rest with the same key."""

    protection: Protection
    policy: Policy
    look: PromptLook

    @classmethod
    def new(cls, policy: Policy, config: SiteConfig, brand: Brand | None = None) -> Sealer:
        if policy.password is None:
            raise SitegenError(Diagnostic(
                "environment", None, config.protection.password_env,
                f"environment '{policy.name}' is password protected but "
                f"${config.protection.password_env} is not set",
                f"export {config.protection.password_env}=..."))
        look = PromptLook(config.site.language, config.protection.remember_days, unlock_url(),
                          config.site.name, brand.logo if brand else None,
                          brand.css if brand else "")
        return cls(Protection.new(policy.password, config.protection.iterations), policy, look)

    def seal(self, rel: str, data: bytes, text: str | None = None) -> bytes:
        """A page becomes its prompt page, any other protected file an envelope. `text`:
        the page's text, when the caller has it (data decoded)."""
        if not rel.lower().endswith((".html", ".htm")):
            return envelope_bytes(self.protection.encrypt(data))
        page = with_unlock_script(data.decode("utf-8") if text is None else text,
                                  self.look.script_src)
        envelope = envelope_bytes(self.protection.encrypt(page.encode("utf-8")))
        head, tail = self._frame
        return head + envelope + tail

    @functools.cached_property
    def _frame(self) -> tuple[bytes, bytes]:
        head, tail = prompt_frame(self.policy, self.look)
        return head.encode("utf-8"), tail.encode("utf-8")


def protect_tree(root: Path, sealer: Sealer, sealed: frozenset[str]) -> Protection:
    """Encrypt every protected file of a written build folder in place, except `sealed` (the
    pages the render workers encrypted, the artifacts sealed as written); write unlock.js and
    `_sitegen/protection.json`. Returns the build's key for the audit."""
    for rel in walk(root):
        if is_protected_path(rel) and rel not in sealed:
            path = root / rel
            path.write_bytes(sealer.seal(rel, path.read_bytes()))
    target = root / UNLOCK_JS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(unlock_script())
    meta = root / PROTECTION_FILE
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_bytes(sealer.protection.metadata(sealer.policy))
    return sealer.protection


def share_link(url: str, protection: Protection) -> str:
    """The link to `url` (a base URL, or a page's URL) that unlocks the build."""
    url = url if url.endswith("/") or "." in url.rsplit("/", 1)[-1] else url + "/"
    return f"{url}#token={protection.token}"


def check_basic_auth(header: str | None, policy: Policy) -> bool:
    """Whether an `Authorization` header carries the environment's user name and password.

    For the dev server (`sitegen serve --env uat` with protection.mode: basic-auth). Always
    True when the environment is not basic-auth protected; constant-time comparison.
    """
    if policy.protection != "basic-auth":
        return True
    if not header or policy.password is None:
        return False
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    if not sep:
        return False
    expected = f"{policy.username}:{policy.password}".encode()
    return hmac.compare_digest(f"{user}:{password}".encode(), expected)
