"""CSV for spreadsheets: one owner for writing lines and for neutralising formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

# A cell that starts with one of these is a formula (or can become one) in Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one CSV line (cells made safe), a line at a time, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()
