"""Host config files: response headers and access rules for the common static hosts.

A producer (artifacts.PRODUCERS) of files that hosts read from the deployed folder. Only
non-indexable environments get them (production writes none). Every one of them gets the
`X-Robots-Tag: noindex, nofollow` header rules, for each host that reads such a file:

- `_headers` (Netlify, Cloudflare Pages), `.htaccess` (Apache, mod_headers, which also denies
  `.ht*` files), `vercel.json` (Vercel), and `_sitegen/nginx.conf`, an nginx snippet to
  `include` inside the `server {}` block that serves the folder (nginx only inherits
  `add_header` into a `location` that sets none of its own: include it there too).

In basic-auth mode `protection.host` names where the build is deployed, and only what
enforces auth there is written; no file a host serves holds the password in clear:

- `netlify`: `Basic-Auth: user:password` in `_headers`. Netlify's format needs the password
  in clear; Netlify reads the file and never serves it.
- `apache`: `AuthType Basic` in `.htaccess` and `.htpasswd` (bcrypt, cost 12), both denied to
  clients by `.htaccess`. `AuthUserFile` is `protection.htpasswd_path` (Apache needs the
  absolute path on the server; without it `.htpasswd` is looked up under ServerRoot, which
  fails closed).
- `nginx`: `auth_basic` in the snippet, which also denies `/_sitegen/` and `/.ht*`; the
  bcrypt line is `_sitegen/nginx.htpasswd`, to copy to `protection.htpasswd_path` (default
  `/etc/nginx/<env>.htpasswd`), the file the snippet names.
- `cloudflare-pages`: `functions/_middleware.js`, a Pages Function (deploy from inside the
  build folder so `functions/` is the project's), and `vercel`: `middleware.js`, Vercel's
  routing middleware. Both hold a PBKDF2-SHA256 hash of `user:password` (random salt,
  AUTH_ITERATIONS rounds, low enough for a worker's CPU budget; a header that passed once
  is remembered by the running instance), compared in constant time, and answer 401 with
  `WWW-Authenticate` otherwise. They run before every file, themselves included.
- A host that cannot enforce auth (GitHub Pages, GitLab Pages, S3, Firebase, Surge, any
  plain static host) is refused by the policy with the alternatives named: encrypt mode,
  or one of the hosts above.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import bcrypt

from sitegen.model.pages import SiteModel
from sitegen.output.redirects import with_redirects

NGINX_SNIPPET = "_sitegen/nginx.conf"
NGINX_HTPASSWD = "_sitegen/nginx.htpasswd"
PAGES_MIDDLEWARE = "functions/_middleware.js"
VERCEL_MIDDLEWARE = "middleware.js"
HEADER_FILES = ("_headers", ".htaccess", "vercel.json", NGINX_SNIPPET)
AUTH_FILES = (".htpasswd", NGINX_HTPASSWD, PAGES_MIDDLEWARE, VERCEL_MIDDLEWARE)
HOST_FILES = (*HEADER_FILES, *AUTH_FILES)
# The file of each host that must require auth in basic-auth mode, and what says it does.
AUTH_RULES = {"netlify": (("_headers", "basic-auth:"),),
              "apache": ((".htaccess", "require valid-user"), (".htpasswd", ":$2y$")),
              "nginx": ((NGINX_SNIPPET, "auth_basic "), (NGINX_HTPASSWD, ":$2y$")),
              "cloudflare-pages": ((PAGES_MIDDLEWARE, "www-authenticate"),),
              "vercel": ((VERCEL_MIDDLEWARE, "www-authenticate"),)}
ROBOTS_HEADER = "noindex, nofollow"
BCRYPT_ROUNDS = 12
AUTH_ITERATIONS = 20_000
MIDDLEWARE = Path(__file__).parents[1] / "themes" / "default" / "protect" / "basicauth.js"


def htpasswd_line(username: str, password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """`user:$2y$...`: bcrypt, with Apache's `$2y$` prefix (the same algorithm as `$2b$`)."""
    hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")
    return f"{username}:$2y${hashed[4:]}"


def middleware(username: str, password: str, realm: str, host: str) -> str:
    """The JavaScript middleware of Cloudflare Pages or Vercel: a salted PBKDF2 hash of
    `user:password`, never the password."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", f"{username}:{password}".encode(), salt,
                                 AUTH_ITERATIONS, 32)
    facts = {"salt": base64.b64encode(salt).decode(), "iterations": AUTH_ITERATIONS,
             "hash": base64.b64encode(digest).decode(), "realm": realm,
             "robots": ROBOTS_HEADER}
    handler = ("export async function onRequest(context) {\n"
               "  return (await authorized(context.request)) ? context.next() : challenge();\n"
               "}\n") if host == "cloudflare-pages" else (
               "export const config = { matcher: \"/:path*\" };\n\n"
               "export default async function middleware(request) {\n"
               "  if (!(await authorized(request))) { return challenge(); }\n"
               "  return undefined;\n}\n")
    return (MIDDLEWARE.read_text(encoding="utf-8")
            .replace("/*SITEGEN_AUTH*/{}", json.dumps(facts, sort_keys=True))
            + "\n" + handler)


def host_files(model: SiteModel) -> dict[str, bytes]:
    """The host files of the environment's policy, with the build's redirect rules
    (output/redirects.py)."""
    return with_redirects(_policy_files(model), model.redirects)


def _policy_files(model: SiteModel) -> dict[str, bytes]:
    policy = model.policy
    if policy.indexable:
        return {}
    settings = model.config.protection
    basic = policy.protection == "basic-auth" and policy.password is not None
    host = policy.host if basic else None
    password = policy.password or ""
    realm = f"{policy.name} (private)".replace('"', "")
    note = f"# sitegen: environment '{policy.name}' (behaves like {policy.kind}), not public.\n"

    headers = [note.rstrip(), "# Netlify and Cloudflare Pages read this file.", "/*",
               f"  X-Robots-Tag: {ROBOTS_HEADER}"]
    if host == "netlify":
        headers.append(f"  Basic-Auth: {policy.username}:{password}")

    htpasswd_path = settings.htpasswd_path or ".htpasswd"
    htaccess = [note.rstrip(),
                "# Apache: needs mod_headers (and mod_auth_basic in basic-auth mode).",
                "<IfModule mod_headers.c>",
                f'  Header always set X-Robots-Tag "{ROBOTS_HEADER}"',
                "</IfModule>",
                '<Files ".ht*">', "  Require all denied", "</Files>"]
    if host == "apache":
        htaccess += ["# AuthUserFile must be the absolute path of .htpasswd on the server "
                     "(protection.htpasswd_path).",
                     "AuthType Basic", f'AuthName "{realm}"',
                     f'AuthUserFile "{htpasswd_path}"', "Require valid-user"]

    nginx = [note.rstrip(),
             "# include this file inside the server {} block that serves this folder.",
             f'add_header X-Robots-Tag "{ROBOTS_HEADER}" always;',
             "location ~ /\\.ht { deny all; }"]
    if host == "nginx":
        user_file = settings.htpasswd_path or f"/etc/nginx/{policy.name}.htpasswd"
        nginx += [f"# copy {NGINX_HTPASSWD} of this build to {user_file}.",
                  "location ^~ /_sitegen/ { deny all; }",
                  f'auth_basic "{realm}";', f"auth_basic_user_file {user_file};"]

    vercel = {"headers": [{"source": "/(.*)",
                           "headers": [{"key": "X-Robots-Tag", "value": ROBOTS_HEADER}]}]}
    files = {
        "_headers": "\n".join(headers) + "\n",
        ".htaccess": "\n".join(htaccess) + "\n",
        NGINX_SNIPPET: "\n".join(nginx) + "\n",
        "vercel.json": json.dumps(vercel, indent=2) + "\n",
    }
    if host == "apache":
        files[".htpasswd"] = htpasswd_line(policy.username, password) + "\n"
    if host == "nginx":
        files[NGINX_HTPASSWD] = htpasswd_line(policy.username, password) + "\n"
    if host == "cloudflare-pages":
        files[PAGES_MIDDLEWARE] = middleware(policy.username, password, realm, host)
    if host == "vercel":
        files[VERCEL_MIDDLEWARE] = middleware(policy.username, password, realm, host)
    return {name: text.encode("utf-8") for name, text in files.items()}
