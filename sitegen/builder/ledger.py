"""Which builds write the redirects ledger (data/ledger.py), and writing it.

Only a production build with real data and `redirects.update: true` adds the URLs it
published: those are the URLs the public and search engines know. Development, staging and
every custom environment that behaves like them only read the ledger: their data may be a
sample or masked and their URLs are not public, so they must never enter it. The file is
rewritten only when a URL is new, after the build's output is in place.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.config.policy import Policy
from sitegen.data.ledger import is_site_path
from sitegen.files import replace_file
from sitegen.model.pages import SiteModel


def writes_ledger(policy: Policy, model: SiteModel) -> bool:
    return policy.kind == "production" and policy.data == "real" and not policy.protected \
        and model.config.redirects.update


def record_published(source: Path, policy: Policy, model: SiteModel) -> bool:
    """Add the URL of every location with a page to the ledger, when this build may;
    whether the file changed. The URLs added are pages of this very build, which no
    redirect ever replaces: the output stays what it is with the new ledger."""
    if not writes_ledger(policy, model):
        return False
    rel, before = model.config.redirects.ledger, model.ledger  # as the model was made from
    if before is None:
        raise AssertionError("the model was made without the ledger")
    after = before.published({loc.id: loc.url for loc in model.locations
                              if is_site_path(loc.url)})  # what the ledger may hold
    if after.locations == before.locations and (source / rel).is_file():
        return False
    path = source / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, after.text().encode("utf-8"))
    return True


