"""How a text file someone hands `sitegen init --from` is written: its encoding and delimiter.

Exports from spreadsheets, registers and CRMs come in UTF-8 (with or without a BOM), UTF-16
(Excel's "Unicode text") or Windows-1252, and with `,`, `;`, tab or `|` between cells. The
guess is written into the config (`locations.encoding`, `locations.delimiter`) for the user to
see and change, so the build itself never guesses.

Decision: the encoding is tried in a fixed order rather than by a statistical detector
(charset-normalizer): UTF-8 decodes almost nothing but UTF-8, Windows-1252 is what the
registers and Excel exports that are not UTF-8 are written in, and a short file with a few
accented names is where a detector guesses cp1250 or mac_roman instead. Latin-1, which
decodes any byte, is the last resort.
"""

from __future__ import annotations

import codecs
import csv

DELIMITERS = ",;\t|"
SAMPLE_BYTES = 256 * 1024


def sniff_encoding(raw: bytes) -> str:
    """The codec name to write as `locations.encoding` for these bytes."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8"  # the reader drops the BOM
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for codec in ("utf-8", "cp1252"):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"


def sniff_delimiter(text: str) -> str:
    """The cell delimiter of a delimited text: the one of `, ; tab |` that splits the first
    lines into the same number of cells, more than one, most often (csv.Sniffer with those
    candidates), else the one the header line has most of; a comma when none."""
    sample = "\n".join(text[:SAMPLE_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","
