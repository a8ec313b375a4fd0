"""What `sitegen validate` says about values filled from the coordinates (coordinates.py):
which field, for how many locations, and on which rows, so a user can check them."""

from __future__ import annotations

from sitegen.data.locations import DERIVABLE, Location

SHOWN_ROWS = 10


def derived_notes(locations: list[Location]) -> list[str]:
    """One line per field filled from the coordinates for at least one location."""
    notes = []
    for name in DERIVABLE:
        rows = [location.row for location in locations if name in location.derived]
        if not rows:
            continue
        listed = ", ".join(str(row) for row in sorted(rows)[:SHOWN_ROWS])
        more = f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
        source = locations[0].source
        notes.append(f"{name} derived from the coordinates for {len(rows)} of "
                     f"{len(locations)} locations ({source} rows {listed}{more}); "
                     f"map a {name} column to use your own values")
    return notes
