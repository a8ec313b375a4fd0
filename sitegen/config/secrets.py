"""Staging passwords: how strong one must be, and a strong one made for the user.

Whoever holds a protected build can test password guesses offline against its check value
(PBKDF2 with 600,000 rounds: roughly 10 guesses a second per core), so the password must
resist a guessing attack, not just be long: at least MIN_LENGTH characters and a zxcvbn score
of at least MIN_SCORE ("safely unguessable: moderate protection from an offline slow-hash
scenario"). zxcvbn (docs/libraries.md) estimates guesses from dictionaries, keyboard
patterns, dates, repeats and l33t substitutions; the site's name, domain and environment
name count as known words.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

MIN_LENGTH = 12
MIN_SCORE = 3
NEW_PASSWORD_BYTES = 18  # 24 base64url characters, 144 random bits


def password_problem(password: str, known: Iterable[str] = ()) -> str | None:
    """Why `password` is too weak for a protected environment, or None when it is not.
    `known`: words an attacker would try first (site name, host, environment)."""
    if len(password) < MIN_LENGTH:
        return f"it has {len(password)} characters; at least {MIN_LENGTH} are needed"
    from zxcvbn import zxcvbn  # its dictionaries: imported by the builds that check one
    result = zxcvbn(password[:100], user_inputs=[w for w in known if w])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "it is easy to guess"
        return f"{warning.rstrip('.').lower()} (strength {result['score']} of 4; " \
               f"{MIN_SCORE} is needed)"
    return None


def new_password() -> str:
    """A random password well above the bar (sitegen share-link --new-password)."""
    return secrets.token_urlsafe(NEW_PASSWORD_BYTES)
