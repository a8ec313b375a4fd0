"""Location data: read any supported file into raw rows, then map them to sitegen's fields."""

from sitegen.data.mapping import CANONICAL_FIELDS, MappedRow, map_rows
from sitegen.data.readers import RawRow, RecordChanges, changed_records, read_lines, read_rows

__all__ = ["CANONICAL_FIELDS", "MappedRow", "RawRow", "RecordChanges", "changed_records",
           "map_rows", "read_lines", "read_rows"]
