"""CSV and XLSX exports shared by runs, plans, forecasts and stock pages.

SKUs and other identifiers are written as text (XLSX cells typed as text, so
Excel keeps leading zeros). Text cells that a spreadsheet would run as a
formula (=, +, -, @, tab, CR) are neutralised with a leading apostrophe
(CSV/Excel injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd
from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from fastdso.audit import audit_record

EXPORT_XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _xlsx_text(value: object) -> object:
    """XLSX (XML) cannot hold control characters: drop them, before neutralising,
    so that a control character followed by "=" cannot become a formula."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cells(frame: pd.DataFrame, *, xlsx: bool = False) -> list[list[object]]:
    rows = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if xlsx:
        return [[neutralise(_xlsx_text(v)) for v in row] for row in rows]
    return [[neutralise(v) for v in row] for row in rows]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens accents right), comma separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(frame.columns))
    writer.writerows(_cells(frame))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, *, text_columns: Sequence[str] = ("sku",), sheet: str = "datos") -> bytes:
    """One sheet, bold header; `text_columns` typed as text ('@') so zeros stay."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(ws, value=_xlsx_text(str(name)))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    text_idx = {i for i, name in enumerate(frame.columns) if name in set(text_columns)}
    for row in _cells(frame, xlsx=True):
        out = []
        for i, value in enumerate(row):
            if i in text_idx and value is not None:
                cell = WriteOnlyCell(ws, value=str(value))
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_export(frame: pd.DataFrame, path: str, *, text_columns: Sequence[str] = ("sku",)) -> None:
    """Write a frame to FILE.csv or FILE.xlsx (by extension), for commands."""
    data = to_xlsx_bytes(frame, text_columns=text_columns) if path.lower().endswith(".xlsx") else to_csv_bytes(frame)
    with open(path, "wb") as handle:
        handle.write(data)


def export_response(
    frame: pd.DataFrame, fmt: str, filename: str, *, text_columns: Sequence[str] = ("sku",)
) -> HttpResponse:
    """An attachment response: fmt is "csv" or "xlsx"."""
    if fmt == "xlsx":
        body = to_xlsx_bytes(frame, text_columns=text_columns)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        fmt, body, content_type = "csv", to_csv_bytes(frame), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _filters_text(request: HttpRequest) -> str:
    shown = request.GET.copy()
    shown.pop("format", None)
    return shown.urlencode()[:200] or "—"


def list_export_response(request: HttpRequest, frame: pd.DataFrame, filename: str, what: str) -> HttpResponse:
    """The export of a filtered list page (?format=csv|xlsx), audited with its filters.
    Beyond what one Excel sheet holds, the export is CSV (it has every row)."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    if fmt == "xlsx" and len(frame) > EXPORT_XLSX_MAX_ROWS:
        fmt = "csv"
    audit_record(
        user=request.user,
        action="export",
        object_repr=f"{what} ({fmt.upper()})",
        object_url=request.get_full_path().replace("/export/", "/", 1),
        details={"rows": len(frame), "format": fmt, "filters": _filters_text(request)},
    )
    return export_response(frame, fmt, filename, text_columns=("sku", "store"))
