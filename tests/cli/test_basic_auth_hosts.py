"""basic-auth per host (protection.host): each host gets what enforces auth there, no file
it serves holds the password in clear, and hosts that cannot enforce auth are refused."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import bcrypt
import pytest
from support.envsites import ENV, PASSWORD, build_env, example_site, invoke

from sitegen.config.schema import AUTH_HOSTS, PLAIN_HOSTS
from sitegen.output.hostconfig import PAGES_MIDDLEWARE, VERCEL_MIDDLEWARE

# What each host does not serve: the files it reads as its configuration, and what the
# written rules deny.
NOT_SERVED = {
    "netlify": ("_headers",),
    "apache": (".htaccess", ".htpasswd"),
    "nginx": ("_sitegen/", ".htaccess", ".htpasswd"),
    "cloudflare-pages": ("_headers",),
    "vercel": ("vercel.json",),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.mktemp("hosts") / "site")


@pytest.fixture(scope="module")
def builds(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("host-builds")
    return {host: build_env(site, "uat", {**ENV, "SITEGEN_PROTECTION__HOST": host},
                            out=root / host) for host in AUTH_HOSTS}


def _served(out: Path, host: str) -> dict[str, bytes]:
    skip = NOT_SERVED[host]
    return {rel: (out / rel).read_bytes() for rel in
            (p.relative_to(out).as_posix() for p in sorted(out.rglob("*")) if p.is_file())
            if not any(rel == s or (s.endswith("/") and rel.startswith(s)) for s in skip)}


@pytest.mark.parametrize("host", AUTH_HOSTS)
def test_no_served_file_holds_the_password(site: Path, builds: dict[str, Path],
                                           host: str) -> None:
    out = builds[host]
    served = _served(out, host)
    assert len(served) > 100
    secrets = [PASSWORD.encode(), base64.b64encode(f"staging:{PASSWORD}".encode())]
    assert [rel for rel, data in served.items() if any(s in data for s in secrets)] == []
    result = invoke("check", "--env", "uat", "--source", site, out,
                    env={**ENV, "SITEGEN_PROTECTION__HOST": host})
    assert result.exit_code == 0, result.output


def test_netlify_reads_its_rule_from_headers(builds: dict[str, Path]) -> None:
    headers = (builds["netlify"] / "_headers").read_text(encoding="utf-8")
    assert f"  Basic-Auth: staging:{PASSWORD}\n" in headers
    for host in ("apache", "nginx", "cloudflare-pages", "vercel"):
        assert "Basic-Auth" not in (builds[host] / "_headers").read_text(encoding="utf-8")


def test_apache_requires_a_bcrypt_user_and_denies_the_files(builds: dict[str, Path]) -> None:
    out = builds["apache"]
    htaccess = (out / ".htaccess").read_text(encoding="utf-8")
    assert '<Files ".ht*">\n  Require all denied\n</Files>' in htaccess
    assert "AuthType Basic" in htaccess and "Require valid-user" in htaccess
    user, hashed = (out / ".htpasswd").read_text(encoding="utf-8").strip().split(":", 1)
    assert user == "staging" and hashed.startswith("$2y$12$")
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.replace("$2y$", "$2b$", 1).encode())
    assert not bcrypt.checkpw(b"wrong", hashed.replace("$2y$", "$2b$", 1).encode())


def test_nginx_snippet_requires_auth_and_denies_its_folder(builds: dict[str, Path]) -> None:
    out = builds["nginx"]
    snippet = (out / "_sitegen" / "nginx.conf").read_text(encoding="utf-8")
    assert 'auth_basic "uat (private)";' in snippet
    assert "auth_basic_user_file /etc/nginx/uat.htpasswd;" in snippet
    assert "location ^~ /_sitegen/ { deny all; }" in snippet
    user, hashed = (out / "_sitegen" / "nginx.htpasswd").read_text().strip().split(":", 1)
    assert user == "staging"
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.replace("$2y$", "$2b$", 1).encode())
    assert not (out / ".htpasswd").exists()


RUN_MIDDLEWARE = """
import * as auth from %(module)s;
const basic = (text) => "Basic " + Buffer.from(text).toString("base64");
async function ask(header) {
  const request = new Request("https://uat.example/locations/", {
    headers: header === null ? {} : { Authorization: header } });
  const answer = %(host)s === "vercel" ? await auth.default(request)
    : await auth.onRequest({ request, next: async () => new Response("the page") });
  return answer === undefined ? { status: "next" }
    : { status: answer.status, auth: answer.headers.get("www-authenticate"),
        robots: answer.headers.get("x-robots-tag"), body: await answer.text() };
}
const out = {};
for (const [name, header] of [["none", null], ["wrong", basic("staging:wrong")],
    ["user", basic("admin:" + %(password)s)], ["junk", "Basic !!!"], ["bearer", "Bearer x"],
    ["right", basic("staging:" + %(password)s)], ["again", basic("staging:" + %(password)s)]]) {
  out[name] = await ask(header);
}
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize("host,name", [("cloudflare-pages", PAGES_MIDDLEWARE),
                                       ("vercel", VERCEL_MIDDLEWARE)])
def test_middleware_compares_a_hash_under_node(builds: dict[str, Path], host: str, name: str,
                                               tmp_path: Path) -> None:
    source = (builds[host] / name).read_text(encoding="utf-8")
    assert PASSWORD not in source and '"hash": "' in source
    module = tmp_path / "middleware.mjs"
    module.write_text(source, encoding="utf-8")
    script = RUN_MIDDLEWARE % {"module": json.dumps(module.as_uri()), "host": json.dumps(host),
                               "password": json.dumps(PASSWORD)}
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    passed = {"status": "next"} if host == "vercel" else {
        "status": 200, "auth": None, "robots": None, "body": "the page"}
    assert answers["right"] == answers["again"] == passed
    for refused in ("none", "wrong", "user", "junk", "bearer"):
        assert answers[refused]["status"] == 401, refused
        assert answers[refused]["auth"] == 'Basic realm="uat (private)", charset="UTF-8"'
        assert answers[refused]["robots"] == "noindex, nofollow"


@pytest.mark.parametrize("host", PLAIN_HOSTS)
def test_a_host_that_cannot_enforce_auth_is_refused(site: Path, host: str) -> None:
    result = invoke("build", "--source", site, "--env", "uat",
                    env={**ENV, "SITEGEN_PROTECTION__HOST": host})
    assert result.exit_code == 1
    assert (f"$SITEGEN_PROTECTION__HOST: protection.host: '{host}' cannot enforce basic auth: "
            "it serves every file as it is (use protection.mode: encrypt (it works on any "
            "static host), or set protection.host to one of netlify, apache, nginx, "
            "cloudflare-pages, vercel)") in result.output


def test_basic_auth_without_a_host_is_refused(site: Path, tmp_path: Path) -> None:
    uat = site / "config" / "uat.yaml"
    text = uat.read_text(encoding="utf-8")
    try:
        uat.write_text(text.replace("  host: netlify", "  # host: netlify"), encoding="utf-8")
        result = invoke("build", "--source", site, "--env", "uat", "--out", tmp_path / "o",
                        env=ENV)
    finally:
        uat.write_text(text, encoding="utf-8")
    assert result.exit_code == 1
    assert ("config/uat.yaml:6: protection.host: basic auth needs to know where the build "
            "is deployed (use protection.mode: encrypt") in result.output
