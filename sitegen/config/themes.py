"""Where a site's theme lives: its own folder under themes/, then the built-in default."""

from __future__ import annotations

from pathlib import Path

from sitegen.diagnostics import Diagnostic, SitegenError

BUILTIN_THEME = Path(__file__).parents[1] / "themes" / "default"


def theme_dirs(source: Path, theme: str | None) -> list[Path]:
    """Theme folders in lookup order (site theme first, built-in default last)."""
    dirs = []
    if theme:
        site_theme = source / "themes" / theme
        if not site_theme.is_dir():
            raise SitegenError(Diagnostic("config/base.yaml", None, "theme",
                                          f"theme folder themes/{theme}/ does not exist",
                                          "create it or remove the theme key"))
        dirs.append(site_theme)
    dirs.append(BUILTIN_THEME)
    return dirs
