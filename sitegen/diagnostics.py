"""Diagnostics are data: every problem found in config, rows, pages or templates.

One record type and one formatter serve the terminal, the build summary and the dev
server's browser overlay, so a user sees the same words wherever a problem shows up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, with where it is (file, row or line, field) and what to do about it.

    `rule`: the audit rule that found it (`guard.missing-noindex`, `links.broken`...), shown
    where a field would be: an audit finding is about a file, not a field of it."""

    path: str
    line: int | None = None
    field: str | None = None
    message: str = ""
    hint: str | None = None
    severity: Severity = "error"
    column: int | None = None
    rule: str | None = None

    def format(self) -> str:
        """`file:row: field: message (hint)` (`file: rule: message (hint)` for an audit
        finding); the shape the CLI, the log and the overlay all use."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        if self.rule:
            parts.append(self.rule)
        text = ": ".join(parts) + ": "
        if self.severity == "warning":
            text += "warning: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity,
            "text": self.format(),
        }


@dataclass
class Report:
    """Diagnostics collected across a stage, so every problem is reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, path: str, line: int | None, field: str | None, message: str,
              hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, field, message, hint, "error"))

    def warning(self, path: str, line: int | None, field: str | None, message: str,
                hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, field, message, hint, "warning"))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]


class SitegenError(Exception):
    """A domain error: shown to the user as its diagnostics, exit code 1, never a traceback."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("sitegen", message=diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))
