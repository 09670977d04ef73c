"""Spreadsheet cells that never run: text from users is written as text, never as a formula.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, DDE ``=cmd|...``). In an xlsx file the
cell is typed as a string, which no spreadsheet evaluates; in CSV and TSV, which carry no types, the
text gets a leading apostrophe (the OWASP advice), and tabs and line breaks inside a field become spaces.
"""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def inert_field(value) -> str:
    """A CSV or TSV field that a spreadsheet shows as the text it is."""
    text = "" if value is None else str(value)
    text = "'" + text if text.startswith(FORMULA_START) else text
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def inert_row(ws) -> None:
    """Types every formula-like text in the worksheet's last row as a string (openpyxl)."""
    for cell in ws[ws.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
