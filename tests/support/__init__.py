"""What the tests share: sites and CLI runs (sites.py), the example site per environment
(envsites.py), real local HTTP servers (servers.py), the dev server as a process (serve.py),
Chromium through Playwright (browser.py; the browser tests' fixtures: browser/conftest.py),
lead forms in it (leadpages.py), the locator's marker data (markers.py), a static host that
follows `_redirects` (redirecthost.py), real I/O faults in a sitegen process
(faultinject.py), and a release built once per run and installed into a new venv
(release.py). The tests
are grouped by how they reach sitegen: unit/ (its functions, in-process), cli/ (end to end:
the CLI or a whole build) and browser/ (a real browser)."""
