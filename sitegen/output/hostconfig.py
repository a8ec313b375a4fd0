"""Host config files: response headers and access rules for the common static hosts.

A producer (artifacts.PRODUCERS) of files that hosts read from the deployed folder. Only
non-indexable environments get them (production writes none):

- `_headers` — Netlify and Cloudflare Pages: `X-Robots-Tag: noindex, nofollow` on every
  response; in basic-auth mode also Netlify's `Basic-Auth: user:password` rule. Netlify's
  format needs the password in clear, so deploy a basic-auth build only to a host that
  consumes `_headers` (Cloudflare Pages ignores Basic-Auth; use encrypt mode there).
- `.htaccess` — Apache (mod_headers): the same header; in basic-auth mode `AuthType Basic`
  with `AuthUserFile` = `protection.htpasswd_path` (Apache needs an absolute path on the
  server; without it `.htpasswd` is looked up under ServerRoot, which fails closed).
- `.htpasswd` — basic-auth mode: `user:$2y$...` (bcrypt, cost 12; Apache and nginx read it).
- `_sitegen/nginx.conf` — an nginx snippet to `include` inside the `server {}` block that
  serves the folder: `add_header X-Robots-Tag ... always;`, a rule denying `/.ht*`, and in
  basic-auth mode `auth_basic` / `auth_basic_user_file`. It lives in `_sitegen/` with the
  build's other non-secret metadata. nginx only inherits `add_header` into a `location` that
  sets none of its own: include it in such locations too.
- `vercel.json` — Vercel, when the build folder is deployed as the project root: the header
  rule. (Vercel has no basic auth in vercel.json; use encrypt mode there.)
"""

from __future__ import annotations

import json

import bcrypt

from sitegen.model.pages import SiteModel
from sitegen.output.redirects import with_redirects

NGINX_SNIPPET = "_sitegen/nginx.conf"
HOST_FILES = ("_headers", ".htaccess", ".htpasswd", "vercel.json", NGINX_SNIPPET)
ROBOTS_HEADER = "noindex, nofollow"
BCRYPT_ROUNDS = 12


def htpasswd_line(username: str, password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """`user:$2y$...`: bcrypt, with Apache's `$2y$` prefix (the same algorithm as `$2b$`)."""
    hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")
    return f"{username}:$2y${hashed[4:]}"


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
    realm = f"{policy.name} (private)".replace('"', "")
    note = f"# sitegen: environment '{policy.name}' (behaves like {policy.kind}), not public.\n"

    headers = [note.rstrip(), "# Netlify and Cloudflare Pages read this file.", "/*",
               f"  X-Robots-Tag: {ROBOTS_HEADER}"]
    if basic:
        headers.append(f"  Basic-Auth: {policy.username}:{policy.password}")

    htpasswd_path = settings.htpasswd_path or ".htpasswd"
    htaccess = [note.rstrip(),
                "# Apache: needs mod_headers (and mod_auth_basic in basic-auth mode).",
                "<IfModule mod_headers.c>",
                f'  Header always set X-Robots-Tag "{ROBOTS_HEADER}"',
                "</IfModule>",
                '<Files ".ht*">', "  Require all denied", "</Files>"]
    if basic:
        htaccess += ["# AuthUserFile must be the absolute path of .htpasswd on the server "
                     "(protection.htpasswd_path).",
                     "AuthType Basic", f'AuthName "{realm}"',
                     f'AuthUserFile "{htpasswd_path}"', "Require valid-user"]

    nginx = [note.rstrip(),
             "# include this file inside the server {} block that serves this folder.",
             f'add_header X-Robots-Tag "{ROBOTS_HEADER}" always;',
             "location ~ /\\.ht { deny all; }"]
    if basic:
        user_file = settings.htpasswd_path or f"/etc/nginx/{policy.name}.htpasswd"
        nginx += [f'auth_basic "{realm}";', f"auth_basic_user_file {user_file};"]

    vercel = {"headers": [{"source": "/(.*)",
                           "headers": [{"key": "X-Robots-Tag", "value": ROBOTS_HEADER}]}]}
    files = {
        "_headers": "\n".join(headers) + "\n",
        ".htaccess": "\n".join(htaccess) + "\n",
        NGINX_SNIPPET: "\n".join(nginx) + "\n",
        "vercel.json": json.dumps(vercel, indent=2) + "\n",
    }
    if basic:
        files[".htpasswd"] = htpasswd_line(policy.username, policy.password or "") + "\n"
    return {name: text.encode("utf-8") for name, text in files.items()}
