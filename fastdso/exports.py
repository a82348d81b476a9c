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
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


# CSV dialects: "standard" (comma, decimal point) for scripts; "excel-es" what
# Excel in a Spanish locale opens into columns (semicolon, decimal comma).
CSV_STANDARD, CSV_EXCEL_ES = "standard", "excel-es"
CSV_DIALECTS = (CSV_STANDARD, CSV_EXCEL_ES)


def _decimal_comma(value: object) -> object:
    if isinstance(value, float) and not isinstance(value, bool):
        return repr(value).replace(".", ",")
    return value


def csv_dialect(request: HttpRequest | None = None, *, language: str | None = None) -> str:
    """The CSV dialect of a web export — the one rule every CSV that leaves
    through a page or the API follows: `?csv=standard|excel-es` when the
    request asks (anything else is a 400), else by the language (`language`,
    or the viewer's): Spanish → `excel-es` (what Spanish-locale Excel opens
    into columns), any other → `standard`. Commands keep `standard` (scripts
    read them, SPEC §9)."""
    asked = request.GET.get("csv") if request is not None else None
    if asked:
        if asked not in CSV_DIALECTS:
            raise BadRequest(f"csv: {asked[:20]!r} (standard | excel-es)")
        return asked
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return CSV_EXCEL_ES if language.split("-")[0] == "es" else CSV_STANDARD


def to_csv_bytes(frame: pd.DataFrame, *, dialect: str = CSV_STANDARD) -> bytes:
    """UTF-8 with BOM (Excel opens accents right); comma separated with a
    decimal point, or (`excel-es`) semicolon separated with a decimal comma."""
    buffer = io.StringIO()
    rows = _cells(frame)
    if dialect == CSV_EXCEL_ES:
        writer = csv.writer(buffer, delimiter=";")
        rows = [[_decimal_comma(v) for v in row] for row in rows]
    else:
        writer = csv.writer(buffer)
    writer.writerow(list(frame.columns))
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Columns holding a code get a label column beside them (appended at the end,
# so the contract's column order is kept): code → registry of fastdso.labels.
LABELLED_COLUMNS = {
    "reason": "reason",
    "model": "model",
    "model_name": "model",
    "source": "reason",
    "alert": "reason",
}
WIDTH_SAMPLE = 2000  # rows read to fit the column widths
MAX_WIDTH = 60

Info = Sequence[tuple[str, object]]


def with_label_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Every code column (reason, model…) also as `<column>_label`, in the active language."""
    from fastdso.labels import label

    extra = {}
    for column, kind in LABELLED_COLUMNS.items():
        if column in frame.columns and f"{column}_label" not in frame.columns:
            codes = frame[column].astype(object)
            names = {code: label(kind, code) for code in pd.unique(codes.dropna())}
            extra[f"{column}_label"] = codes.map(names).fillna("")
    return frame.assign(**extra) if extra else frame


def _number_format(series: pd.Series) -> str | None:
    """Integers "#,##0"; decimals with one or two places (as many as the data needs, up to 2)."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    values = series.dropna().astype("float64")
    if values.empty or ((values * 1).round(0) == values).all():
        return "#,##0"
    return "#,##0.0" if ((values * 10).round(6) % 1 == 0).all() else "#,##0.00"


def _width(name: str, series: pd.Series) -> float:
    sample = series.iloc[:WIDTH_SAMPLE].dropna().astype(str)
    longest = max([len(str(name)), *sample.str.len().tolist()])
    return float(min(max(longest + 2, 8), MAX_WIDTH))


def _header_cells(ws: Any, names: Sequence[object]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=_xlsx_text(str(name)))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def to_xlsx_bytes(
    frame: pd.DataFrame,
    *,
    text_columns: Sequence[str] = ("sku",),
    sheet: str = "datos",
    info: Info | None = None,
    info_header: Sequence[str] = ("parameter", "label", "value"),
) -> bytes:
    """A workbook that opens ready to use: bold frozen header with an autofilter,
    fitted column widths, number formats (integers, one or two decimals),
    `text_columns` typed as text ('@') so leading zeros stay; and, when `info`
    is given, a second sheet "parametros" with the run's parameters and summary."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    text_idx = {i for i, name in enumerate(frame.columns) if name in set(text_columns)}
    formats = {}
    for i, name in enumerate(frame.columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = _width(name, frame.iloc[:, i])
        if i not in text_idx:
            fmt = _number_format(frame.iloc[:, i])
            if fmt:
                formats[i] = fmt
    ws.append(_header_cells(ws, list(frame.columns)))
    for row in _cells(frame, xlsx=True):
        out: list[object] = []
        for i, value in enumerate(row):
            if value is not None and (i in text_idx or i in formats):
                cell = WriteOnlyCell(ws, value=str(value) if i in text_idx else value)
                cell.number_format = "@" if i in text_idx else formats[i]
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    if info:
        _info_sheet(book, info, info_header)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _info_sheet(book: Workbook, info: Info, header: Sequence[str] = ("parameter", "label", "value")) -> None:
    """Second sheet: one row per parameter or summary figure (code, label, value)."""
    from fastdso.labels import key_label
    from fastdso.messages import is_message, render

    ws = book.create_sheet(title="parametros")
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 30
    ws.append(_header_cells(ws, list(header)))
    for key, value in info:
        if is_message(value):
            value = render(value)
        elif isinstance(value, dict | list):
            value = (
                ", ".join(f"{k}: {v}" for k, v in value.items())
                if isinstance(value, dict)
                else ", ".join(map(str, value))
            )
        elif value is not None and not isinstance(value, int | float | str):
            value = str(value)
        ws.append([_xlsx_text(str(key)), _xlsx_text(key_label(key)), neutralise(_xlsx_text(value))])
    ws.auto_filter.ref = f"A1:C{len(info) + 1}"


def write_export(
    frame: pd.DataFrame, path: str, *, text_columns: Sequence[str] = ("sku",), info: Info | None = None
) -> None:
    """Write a frame to FILE.csv or FILE.xlsx (by extension), for commands."""
    frame = with_label_columns(frame)
    if path.lower().endswith(".xlsx"):
        data = to_xlsx_bytes(frame, text_columns=text_columns, info=info)
    else:
        data = to_csv_bytes(frame)
    with open(path, "wb") as handle:
        handle.write(data)


def export_response(
    frame: pd.DataFrame,
    fmt: str,
    filename: str,
    *,
    text_columns: Sequence[str] = ("sku",),
    info: Info | None = None,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """An attachment response: fmt is "csv" or "xlsx". Code columns get a label
    column; the XLSX gets the `info` sheet (parameters and summary); the CSV
    is in `csv_dialect(request)` (the viewer's language, or `?csv=`)."""
    frame = with_label_columns(frame)
    if fmt == "xlsx":
        body = to_xlsx_bytes(frame, text_columns=text_columns, info=info)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        fmt, content_type = "csv", "text/csv; charset=utf-8"
        body = to_csv_bytes(frame, dialect=csv_dialect(request))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def export_info(head: dict[str, Any], params: dict[str, Any] | None, summary: dict[str, Any] | None) -> list[tuple]:
    """The rows of the XLSX "parametros" sheet: what was exported, with which
    parameters, and the summary figures (codes as keys; the sheet adds labels)."""
    rows: list[tuple] = [(k, v) for k, v in head.items()]
    rows += [(k, v) for k, v in (params or {}).items() if k not in head]
    rows += [(k, v) for k, v in (summary or {}).items() if k not in head]
    return rows


def _filters_text(request: HttpRequest) -> str:
    shown = request.GET.copy()
    shown.pop("format", None)
    return shown.urlencode()[:200] or "—"


def _base_language(text: object) -> str:
    """A (lazy) label in the language stored rows are written in."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def list_export_response(request: HttpRequest, frame: pd.DataFrame, filename: str, what: str) -> HttpResponse:
    """The export of a filtered list page (?format=csv|xlsx), audited with its filters.
    Beyond what one Excel sheet holds, the export is CSV (it has every row)."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    if fmt == "xlsx" and len(frame) > EXPORT_XLSX_MAX_ROWS:
        fmt = "csv"
    audit_record(
        user=request.user,
        action="export",
        object_repr=f"{_base_language(what)} ({fmt.upper()})",  # translated when shown
        object_url=request.get_full_path().replace("/export/", "/", 1),
        details={"rows": len(frame), "format": fmt, "filters": _filters_text(request)},
    )
    info = export_info({"export": what, "rows": len(frame)}, dict(request.GET.items()), {})
    return export_response(frame, fmt, filename, text_columns=("sku", "store"), info=info, request=request)


# --- One shape for a table that leaves the system (a run's lines and order) ---------


@dataclass(frozen=True)
class Column:
    """A column of an export: its code (header with `headers="codes"`), its
    label (translated header, the default), and whether it is an identifier
    typed as text in XLSX (leading zeros kept)."""

    code: str
    label: Any
    text: bool = False


HEADERS = ("labels", "codes")
INFO_HEADER = (gettext_lazy("Parámetro"), gettext_lazy("Descripción"), gettext_lazy("Valor"))


@dataclass(frozen=True)
class ExportOptions:
    """How a table is written: header row as labels (in `language`) or codes;
    CSV dialect (None: by language, Spanish → `excel-es`); `language` None is
    the active one (the viewer's)."""

    headers: str = "labels"
    language: str | None = None
    dialect: str | None = None

    def resolved(self) -> ExportOptions:
        language = self.language or translation.get_language() or settings.LANGUAGE_CODE
        dialect = self.dialect or csv_dialect(language=language)
        return ExportOptions(headers=self.headers, language=language, dialect=dialect)


# What the warehouse receives (the kept file, the API's order): labels in Spanish.
WAREHOUSE = ExportOptions(headers="labels", language="es")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_bytes(
    frame: pd.DataFrame, columns: Sequence[Column], fmt: str, *, options: ExportOptions, info: Info | None = None
) -> bytes:
    """`frame` (holding every column's code) as CSV or XLSX: header by
    `options.headers`, in `options.language` (call it inside that language's
    override, so the cells' labels match), the XLSX with its parameters sheet."""
    frame = frame[[c.code for c in columns]]
    if options.headers == "codes":
        names = [c.code for c in columns]
        info_header: Sequence[str] = ("parameter", "label", "value")
    else:
        names = [str(c.label) for c in columns]
        info_header = [str(h) for h in INFO_HEADER]
    frame = frame.set_axis(names, axis=1)
    if fmt == "xlsx":
        text = [name for name, c in zip(names, columns, strict=True) if c.text]
        return to_xlsx_bytes(frame, text_columns=text, info=info, info_header=info_header)
    return to_csv_bytes(frame, dialect=options.dialect or CSV_STANDARD)


def attachment(body: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
