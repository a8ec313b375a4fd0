"""A broken theme template stops the build with its file and line, before any page is
rendered, whether it is a page template or a partial it includes."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.sites import assert_fails, run_cli, small_site

CONFIG = ("base_url: https://www.example.com\nsite:\n  name: Test Stores\ntheme: mine\n"
          "locations:\n  source: locations/locations.csv\n  phone_region: US\n")


@pytest.mark.parametrize(("template", "text", "line"), [
    ("location.html", "{% extends \"base.html\" %}\n{% block main %}{% if %}{% endif %}"
                      "{% endblock %}\n", 2),
    ("partials/footer.html", "<footer>\n\n{% for x in %}{% endfor %}</footer>\n", 3),
])
def test_a_syntax_error_names_the_template_and_line(tmp_path: Path, template: str, text: str,
                                                    line: int) -> None:
    site = small_site(tmp_path / "site", extra={
        "config/base.yaml": CONFIG, f"themes/mine/templates/{template}": text})
    assert_fails(run_cli("build", "--source", site), [
        f"themes/mine/templates/{template}:{line}: template syntax error: Expected an "
        "expression, got 'end of statement block' (fix the template; the last good output "
        "is kept)"])
    assert not (site / "dist").exists()


def test_an_unknown_variable_names_the_template_line_and_page(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "config/base.yaml": CONFIG,
        "themes/mine/templates/partials/footer.html": "<footer>\n{{ no_such_value }}\n"
                                                      "</footer>\n"})
    result = run_cli("build", "--source", site, "--jobs", "1")
    assert_fails(result, [
        "themes/mine/templates/partials/footer.html:2: error rendering /: 'no_such_value' is "
        "undefined (fix the template or the value it uses)"])
