"""Dataset Markdown is converted without `extra` (its output is not on the dataset allowlist);
content Markdown keeps it."""

from __future__ import annotations

from sitegen.markup import render_trusted, render_untrusted

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |"


def test_dataset_cells_show_extra_syntax_as_text() -> None:
    assert render_untrusted(TABLE) == "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>"
    assert render_untrusted("Term\n: Definition") == "<p>Term\n: Definition</p>"


def test_dataset_cells_keep_lists_and_fenced_code() -> None:
    assert render_untrusted("```\nx = 1\n```") == "<pre><code>x = 1\n</code></pre>"
    assert render_untrusted("1. a\n* b") == "<ol>\n<li>a\n* b</li>\n</ol>"  # sane_lists


def test_content_pages_keep_extra() -> None:
    assert "<table>" in render_trusted(TABLE)
