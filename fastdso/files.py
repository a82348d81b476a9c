"""The one file reader behind every upload, admin import and command (SPEC §3).

CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16 with BOM as
Excel's "Unicode text" writes it, Latin-1 tolerated) and XLSX, recognised by
content, not by name. Headers match case-insensitively
with Spanish aliases. Identifiers are always text. A file is returned clean or
rejected whole with its row errors: nothing is ever half-read.

    df = read_table(path_or_file, [Column("sku"), Column("quantity", Kind.INT)])

The DataFrame has the canonical column names and is indexed by the row number
in the file (the header is row 1, so the first data row is 2).

Hostile input (tests/fastdso/test_hostile_files.py fuzzes it): whatever the
bytes, the result is the requested columns or FileRejected with a message;
no other exception escapes, and no NUL character reaches a value or an error
(PostgreSQL cannot store one).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.utils.translation import gettext
from pyarrow import csv as pa_csv

from fastdso.db import chunks
from fastdso.messages import Message, message_from, msg, render, stored

# Header aliases (after lower-casing and trimming). Spanish first: it is the
# users' language (SPEC §3).
HEADER_ALIASES: dict[str, str] = {
    "cantidad": "quantity",
    "unidades": "quantity",
    "tienda": "store",
    "sucursal": "store",
    "fecha": "date",
    "categoria": "category",
    "categoría": "category",
    "producto": "product_name",
    "descripcion": "product_name",
    "descripción": "product_name",
    "nombre_producto": "product_name",
    "name": "product_name",
    "unidades_por_caja": "pack_size",
    "exhibicion_minima": "display_min",
    "exhibición_mínima": "display_min",
    "exhibición_minima": "display_min",
}

MAX_ERRORS_KEPT = 100_000
# An XLSX is a ZIP (a decompression bomb can inflate 3 MB into 1 GB, and a
# sheet in memory takes several times its XML). Its inflated size may be at
# most half the upload limit and never more than MAX_XLSX_UNCOMPRESSED, and it
# may hold at most MAX_XLSX_CELLS cells (every spelling of a cell tag); both
# are checked while inflating, and reading stops at the first byte over. The
# shared strings its cells name (one copy per cell when read) may expand to at
# most the same size. Within these, the peak memory of a read stays under
# 1.5 GB (tests/fastdso/test_xlsx_bomb.py measures it).
MAX_XLSX_UNCOMPRESSED = 150 * 1024**2
XLSX_INFLATED_PER_UPLOAD_BYTE = 0.5
MAX_XLSX_CELLS = 5_000_000
MAX_XLSX_RATIO = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_DMY_DATE = re.compile(r"^\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}$")
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\r|\n))*")


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    INT = "int"
    FLOAT = "float"


@dataclass(frozen=True)
class Column:
    """A column a file may carry. `min_value` bounds numbers (None: no bound)."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    min_value: float | None = None
    # A required column must be present; `allow_blank` lets its cells be empty.
    allow_blank: bool = False
    # Text longer than this (the model field's max_length) is a row error, not a database error.
    max_length: int | None = None


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    value: str
    message: Message | str  # a Message, or a message code without parameters

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": stored(self.message)}


@dataclass
class FileRejected(Exception):
    """The file cannot be loaded; nothing was written. `errors` names rows and columns."""

    message: Message | str  # a Message, or a message code without parameters
    errors: list[RowError] = field(default_factory=list)
    total_errors: int = 0

    def __post_init__(self) -> None:
        # Job rows keep the message and errors: no NUL, which PostgreSQL refuses.
        message = message_from(self.message or "files.unreadable")
        self.message = Message(message.code, {k: _no_nul_value(v) for k, v in message.params.items()})
        self.errors = [_clean_error(error) for error in self.errors]
        super().__init__(self.message)
        self.total_errors = max(self.total_errors, len(self.errors))

    def __str__(self) -> str:
        return render(self.message)


def _no_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text


def _no_nul_value(value: Any) -> Any:
    return _no_nul(value) if isinstance(value, str) else value


def _clean_error(error: RowError) -> RowError:
    if "\x00" in error.value or "\x00" in error.column:
        return RowError(error.row, _no_nul(error.column), _no_nul(error.value), error.message)
    return error


def normalise_header(name: object, aliases: dict[str, str] | None = None) -> str:
    """A header's canonical name: lower-cased, trimmed, spaces as `_`, then the
    dataset's own `aliases` (a promotions file's `name` is the promotion's
    name, not a product's) and the shared HEADER_ALIASES."""
    text = str(name).replace("\ufeff", "").strip().lower()
    text = re.sub(r"\s+", "_", text)
    if aliases and text in aliases:
        return aliases[text]
    return HEADER_ALIASES.get(text, text)


# --------------------------------------------------------------------------
# Raw bytes → DataFrame of strings
# --------------------------------------------------------------------------


def upload_max_bytes() -> int:
    """The size limit of web uploads (SPEC §3); a command's file has none unless --max-mb (`job_max_bytes`)."""
    return int(settings.FASTDSO_MAX_UPLOAD_MB) * 1024 * 1024


def upload_size_error(size: int) -> str | None:
    """The message for a file over the upload limit (None when it fits): forms
    refuse such a file before it is saved or parsed."""
    if size <= upload_max_bytes():
        return None
    return gettext("El archivo pesa %(size).1f MB y el máximo permitido es %(limit)d MB.") % {
        "size": size / 1_048_576,
        "limit": int(settings.FASTDSO_MAX_UPLOAD_MB),
    }


def _read_bytes(source: str | Path | bytes | IO[bytes] | Any, max_bytes: int | None) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        size = os.path.getsize(source)
        _check_size(size, max_bytes)
        data = Path(source).read_bytes()
    else:  # a file object or a Django File / UploadedFile
        declared = getattr(source, "size", None)
        if declared is not None:
            _check_size(int(declared), max_bytes)
        if hasattr(source, "open") and getattr(source, "closed", False):
            source.open("rb")
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise FileRejected(msg("files.too_big", size=round(size / 1_048_576, 1), limit=round(max_bytes / 1_048_576)))


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return control > max(8, len(sample) // 100)


def xlsx_inflated_limit(max_bytes: int | None) -> int:
    """How far an XLSX may inflate, given the upload limit."""
    if max_bytes is None:
        return MAX_XLSX_UNCOMPRESSED
    return min(MAX_XLSX_UNCOMPRESSED, int(max_bytes * XLSX_INFLATED_PER_UPLOAD_BYTE))


def _xlsx_too_big(limit: int) -> FileRejected:
    return FileRejected(msg("files.xlsx_inflated", mb=round(limit / 1_048_576), cells=MAX_XLSX_CELLS))


# Cell tags however they are spelled: "<c>", "<c r=…>", "<c\n…>", "<c/>", and
# with a namespace prefix ("<x:c …>"; its closing tag counts too: more, never
# fewer). Whitespace and "/" are mapped to one byte first, so a few C-speed
# counts find every spelling.
_CELL_SPELLING = bytes.maketrans(b"\t\n\r/", b"   >")
_CELL_TAGS = (b"<c ", b"<c>", b":c ", b":c>")
_SST_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?sst[\s>/]")
_SI_END = re.compile(rb"</(?:[A-Za-z_][\w.-]{0,31}:)?si\s*>")
_STRING_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]{0,31}:)?c\s[^>]*?(?<=\s)t\s*=\s*[\"']s[\"'][^>]*(?<!/)>(.*?)"
    rb"</(?:[A-Za-z_][\w.-]{0,31}:)?c\s*>",
    re.S,
)
_CELL_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?v(?:\s[^>]*)?>\s*(\d{1,12})\s*<")


def _xlsx_cells(window: bytes) -> int:
    spelled = window.translate(_CELL_SPELLING)
    return sum(spelled.count(tag) for tag in _CELL_TAGS)


def _xlsx_shared_string_too_big(limit: int) -> FileRejected:
    return FileRejected(msg("files.xlsx_shared_strings", mb=round(limit / 1_048_576)))


def _xlsx_check_inflated(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int) -> None:
    """Inflate every member in chunks, counting bytes and cells; stop at the first
    one over the limits. Sizes declared in the ZIP are not trusted. Then bound
    what the shared strings expand to (`_xlsx_check_shared_strings`)."""
    declared = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if declared > limit or declared > MAX_XLSX_RATIO * max(packed, 1024 * 1024):
        raise _xlsx_too_big(limit)
    inflated = cells = 0
    string_tables: list[zipfile.ZipInfo] = []
    for member in members:
        with archive.open(member) as stream:
            tail = b""  # a tag may straddle two chunks
            is_table = False
            while chunk := stream.read(1 << 20):
                inflated += len(chunk)
                window = tail + chunk
                # The shared-string table, wherever it is and however it is named or padded.
                if not is_table and b"sst" in window and _SST_ROOT.search(window):
                    is_table = True
                    string_tables.append(member)
                cells += _xlsx_cells(tail[-2:] + chunk)  # 3-byte tags: 2 bytes carried, never counted twice
                tail = chunk[-40:]
                if inflated > limit or cells > MAX_XLSX_CELLS:
                    raise _xlsx_too_big(limit)
    if string_tables:
        _xlsx_check_shared_strings(archive, members, string_tables, cells, limit)


def _xlsx_check_shared_strings(
    archive: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    string_tables: list[zipfile.ZipInfo],
    cells: int,
    limit: int,
) -> None:
    """A cell of type "s" holds an index into the shared strings, and the reader
    makes one copy of that string per cell: 1,000 cells naming one 1 MB string
    are 1 GB in memory from a 3 KB file. Bound the sum, over every such cell,
    of the length of the string it names (issue 33 §4) by the inflated limit.

    Lengths are taken as the bytes of each string's XML (an upper bound of
    its characters). Quick bound first — cells × the longest string — which
    every ordinary file passes; only when it does not, the sheets are read
    and each string cell's index looked up."""
    lengths = np.zeros(0, dtype=np.int64)
    for member in string_tables:  # every table found (whatever the workbook names): the longest wins
        pieces = _SI_END.split(archive.read(member))
        found = np.fromiter((len(piece) for piece in pieces[:-1]), dtype=np.int64, count=len(pieces) - 1)
        del pieces
        if len(found) > len(lengths):
            found[: len(lengths)] = np.maximum(found[: len(lengths)], lengths)
            lengths = found
        else:
            lengths[: len(found)] = np.maximum(lengths[: len(found)], found)
    if not len(lengths) or cells * int(lengths.max()) <= limit:
        return
    expanded = 0
    tables = {member.filename for member in string_tables}
    for member in members:
        if member.filename in tables:
            continue
        indexes: list[int] = []
        for cell in _STRING_CELL.finditer(archive.read(member)):
            if value := _CELL_VALUE.search(cell.group(1)):
                indexes.append(int(value.group(1)))
            if len(indexes) >= 100_000:
                expanded += _referenced_length(lengths, indexes)
                indexes.clear()
                if expanded > limit:
                    raise _xlsx_shared_string_too_big(limit)
        expanded += _referenced_length(lengths, indexes)
        if expanded > limit:
            raise _xlsx_shared_string_too_big(limit)


def _referenced_length(lengths: np.ndarray, indexes: list[int]) -> int:
    found = np.asarray(indexes, dtype=np.int64)
    return int(lengths[found[found < len(lengths)]].sum()) if len(found) else 0


def _xlsx_to_strings(data: bytes, max_bytes: int | None = None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if "xl/workbook.xml" not in {member.filename for member in members}:
                raise FileRejected(msg("files.zip_not_xlsx"))
            _xlsx_check_inflated(archive, members, xlsx_inflated_limit(max_bytes))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ) as exc:
        raise FileRejected(msg("files.xlsx_damaged")) from exc
    try:
        raw = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=object)
    except BaseException as exc:  # noqa: BLE001 - the Rust reader panics with a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise FileRejected(msg("files.xlsx_unreadable", detail=str(exc)[:300])) from exc
    raw = raw.dropna(how="all")
    if raw.empty:
        raise FileRejected(msg("files.empty"))
    cells = raw.map(_xlsx_cell_text)
    header = list(cells.iloc[0])
    body = cells.iloc[1:]
    body = body.loc[~(body == "").all(axis=1)]
    frame = pd.DataFrame(body.to_numpy(), columns=header, index=body.index.to_numpy() + 1)
    frame.attrs["xlsx"] = True
    return frame


def _xlsx_cell_text(value: object) -> str:
    """An XLSX cell as the text a planner typed: 12345.0 → "12345", dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):  # datetime.date / datetime.datetime
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 10 else text
    return _no_nul(str(value)).strip()


def _decode(data: bytes) -> bytes:
    """UTF-8 bytes without BOM; UTF-16 (with BOM) and Latin-1 files are transcoded.
    A file mixing UTF-8 and another encoding is refused with its bad rows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError as exc:
            raise FileRejected(msg("files.bad_utf16")) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        raise _mixed_encodings(data)
    return data.decode("latin-1").encode("utf-8")


# A UTF-8 encoded non-ASCII character (Latin-1 text practically never has one).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mixed_encodings(data: bytes) -> FileRejected:
    """The file is UTF-8 (it has UTF-8 characters) but some rows are not: name them."""
    errors: list[RowError] = []
    total = 0
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            total += 1
            if len(errors) < MAX_ERRORS_KEPT:
                shown = _no_nul(line.decode("latin-1"))[:200]  # as the planner typed it, most likely
                errors.append(RowError(number, "", shown, msg("files.row_not_utf8")))
    return FileRejected(
        msg("files.mixed_encodings", n=total),
        errors=errors,
        total_errors=total,
    )


def _first_line(text: bytes) -> bytes:
    """The first line (what `text.splitlines()[0]` gives), without splitting the whole file."""
    ends = [i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0]
    return text[: min(ends)] if ends else text


def _csv_to_strings(data: bytes) -> pd.DataFrame:
    text = _decode(data)
    if b"\x00" in text:
        raise FileRejected(msg("files.nul_bytes"))
    # Blank lines before the header: drop them, so that the header is row 1.
    leading = _LEADING_BLANK_LINES.match(text)
    text = text[leading.end() if leading else 0 :]
    first_line = _first_line(text)
    if not first_line.strip():
        raise FileRejected(msg("files.empty"))
    header_text = first_line.decode("utf-8")
    delimiter, header = _csv_header(header_text)
    bad_rows: list[RowError] = []

    def on_invalid(row: Any) -> str:
        if len(bad_rows) < MAX_ERRORS_KEPT:
            bad_rows.append(
                RowError(
                    row=row.number,
                    column="",
                    value=(row.text or "")[:200],
                    message=msg("files.ragged_row", found=row.actual_columns, expected=row.expected_columns),
                )
            )
        return "skip"

    def parse(block_size: int | None) -> pa.Table:
        return pa_csv.read_csv(
            io.BytesIO(text),
            read_options=pa_csv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(header))], skip_rows=1, block_size=block_size
            ),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = parse(None)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            # A cell or quoted value longer than a parse block (1 MB): read in one block.
            bad_rows.clear()
            table = parse(len(text) + 1)
    except pa.ArrowException as exc:
        raise FileRejected(msg("files.csv_unreadable", detail=str(exc)[:300])) from exc
    if bad_rows:
        if any(row.row is None for row in bad_rows):
            bad_rows = _ragged_rows(text, delimiter, len(header)) or bad_rows
        raise FileRejected(msg("files.ragged_rows", n=len(bad_rows)), errors=bad_rows)
    frame = table.to_pandas()
    frame.columns = header
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def _ragged_rows(text: bytes, delimiter: str, width: int) -> list[RowError]:
    """Row numbers of rows whose field count differs from the header's
    (the parallel CSV reader does not know them; this error path does)."""
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.decode("utf-8")), delimiter=delimiter)
    try:
        next(reader, None)
        for fields in reader:
            if fields and len(fields) != width and len(errors) < MAX_ERRORS_KEPT:
                errors.append(
                    RowError(
                        reader.line_num,
                        "",
                        delimiter.join(fields)[:200],
                        msg("files.ragged_row", found=len(fields), expected=width),
                    )
                )
    except csv.Error:  # a cell over the csv module's size limit: keep the rows found so far
        pass
    return errors


def _check_duplicate_headers(header: Sequence[object], aliases: dict[str, str] | None = None) -> None:
    seen: dict[str, str] = {}
    for raw in header:
        key = normalise_header(raw, aliases)
        if not key:
            continue
        if key in seen:
            raise FileRejected(msg("files.duplicate_header", first=seen[key], second=str(raw).strip(), column=key))
        seen[key] = str(raw).strip()


def read_raw_strings(source: Any, *, max_bytes: int | None = None) -> pd.DataFrame:
    """Any CSV/XLSX as a DataFrame of strings with its original headers."""
    data = _read_bytes(source, max_bytes)
    if not data.strip():
        raise FileRejected(msg("files.empty"))
    if data.startswith(b"PK\x03\x04"):
        frame = _xlsx_to_strings(data, max_bytes)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(msg("files.old_xls"))
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: NUL bytes are expected
        frame = _csv_to_strings(data)
    elif _looks_binary(data[:65536]):
        raise FileRejected(msg("files.binary"))
    else:
        frame = _csv_to_strings(data)
    _check_duplicate_headers(list(frame.columns))
    return frame


# --------------------------------------------------------------------------
# Validation: strings → typed columns, or row errors
# --------------------------------------------------------------------------


def _by_uniques(values: pd.Series, parse: Any) -> pd.Series:
    """Parse each distinct value once: files repeat dates and quantities a lot."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    parsed = parse(pd.Series(uniques, dtype=object))
    return pd.Series(np.asarray(parsed)[codes], index=values.index)


def _parse_dates(uniques: pd.Series, xlsx: bool) -> pd.Series:
    text = uniques.astype(str).str.strip()
    result = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[s]")
    iso = text.str.match(_ISO_DATE)
    if iso.any():
        result[iso] = pd.to_datetime(text[iso].str[:10], format="%Y-%m-%d", errors="coerce")
    dmy = ~iso & text.str.match(_DMY_DATE)
    if dmy.any():
        normalised = text[dmy].str.replace(r"[\-.]", "/", regex=True)
        result[dmy] = pd.to_datetime(normalised, format="%d/%m/%Y", errors="coerce")
    if xlsx:  # an Excel date typed as a plain number: a serial day count
        serial = ~iso & ~dmy & text.str.fullmatch(r"\d{5}")
        if serial.any():
            days = pd.to_numeric(text[serial])
            result[serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
    return result


# A decimal with a comma (the planners' Spanish Excel: "1,5"): one comma, no point.
_DECIMAL_COMMA = r"[+-]?\d*,\d+"


def _parse_numbers(uniques: pd.Series, *, decimal_comma: bool = False) -> pd.Series:
    """Numbers as written; with `decimal_comma` (FLOAT columns only) "1,5" reads
    as 1.5 too. An INT column (units) keeps refusing "1,5" and "1,000"."""
    text = uniques.astype(str).str.strip()
    if decimal_comma:
        text = text.where(~text.str.fullmatch(_DECIMAL_COMMA), text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce")


def _number_column(column: Column, text: pd.Series, blank: pd.Series, errors: list[RowError]) -> tuple[pd.Series, int]:
    """An INT or FLOAT column parsed, and how many errors it added to `errors`."""
    found = 0
    parse = functools.partial(_parse_numbers, decimal_comma=column.kind is Kind.FLOAT)
    numbers = _by_uniques(text, parse).astype("float64")
    found += _collect(errors, numbers.isna() & ~blank, text, column.name, msg("files.not_a_number"))
    if column.kind is Kind.INT:
        fractional = numbers.notna() & (numbers != np.floor(numbers))
        found += _collect(errors, fractional, text, column.name, msg("files.not_an_integer"))
    if column.min_value is not None:
        low = numbers.notna() & (numbers < column.min_value)
        found += _collect(errors, low, text, column.name, msg("files.below_min", n=column.min_value))
    too_big = numbers.notna() & (numbers.abs() > 2_000_000_000)
    found += _collect(errors, too_big, text, column.name, msg("files.out_of_range"))
    numbers = numbers.where(~too_big)  # already an error; infinities cannot become integers
    if column.kind is not Kind.INT:
        return numbers, found
    if blank.any():
        return numbers.round().astype("Int64"), found
    return numbers.fillna(0).round().astype("int64"), found


def read_table(
    source: Any,
    columns: Sequence[Column],
    *,
    max_bytes: int | None = None,
    aliases: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read and validate a file; return typed columns or raise FileRejected.

    Text columns come back as trimmed strings; DATE as datetime64 (midnight);
    INT as int64 (nullable Int64 for an optional column with blanks); FLOAT
    as float64. Absent optional columns are present and empty. `source` may
    also be a DataFrame `read_raw_strings` returned (or rows of it).
    """
    raw = source if isinstance(source, pd.DataFrame) else read_raw_strings(source, max_bytes=max_bytes)
    xlsx = bool(raw.attrs.get("xlsx"))
    rename = {col: normalise_header(col, aliases) for col in raw.columns}
    if aliases:  # two headers that a dataset's aliases make the same column
        _check_duplicate_headers([str(col) for col in raw.columns], aliases)
    raw = raw.rename(columns=rename)
    wanted = {c.name for c in columns}
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    if missing:
        found = ", ".join(str(c) for c in raw.columns if str(c)) or "—"
        raise FileRejected(
            msg("files.missing_columns", missing=", ".join(missing), found=found),
            errors=[RowError(1, name, "", msg("files.missing_column")) for name in missing],
        )
    if raw.empty:
        raise FileRejected(msg("files.header_only"))
    raw = raw[[c for c in raw.columns if c in wanted]]

    errors: list[RowError] = []
    total_errors = 0
    out: dict[str, pd.Series] = {}
    for column in columns:
        if column.name not in raw.columns:
            out[column.name] = pd.Series(None, index=raw.index, dtype=_empty_dtype(column.kind))
            continue
        text = raw[column.name].astype("str").str.strip()
        blank = text == ""
        if column.required and not column.allow_blank:
            total_errors += _collect(errors, blank, text, column.name, msg("files.blank"))
        if column.kind is Kind.TEXT:
            if column.max_length is not None:
                too_long = text.str.len() > column.max_length
                total_errors += _collect(
                    errors,
                    too_long,
                    text,
                    column.name,
                    msg("files.too_long", n=column.max_length),
                )
            out[column.name] = text
            continue
        if column.kind is Kind.DATE:
            parsed = _by_uniques(text, lambda u: _parse_dates(u, xlsx))
            parsed = pd.to_datetime(parsed)
            bad = parsed.isna() & ~blank
            total_errors += _collect(errors, bad, text, column.name, msg("files.bad_date"))
            out[column.name] = parsed
            continue
        out[column.name], column_errors = _number_column(column, text, blank, errors)
        total_errors += column_errors
    if total_errors:
        errors.sort(key=lambda e: (e.row or 0, e.column))
        raise FileRejected(
            msg("files.rows_refused", n=total_errors),
            errors=errors[:MAX_ERRORS_KEPT],
            total_errors=total_errors,
        )
    return pd.DataFrame(out, index=raw.index)


# The SKU files of the planners (SPEC §3): a distribution request, a forecast's
# or a replay's SKU list, a transfer plan's SKUs; each may add its own columns.
SKU_FILE_COLUMNS = [
    Column("sku"),
    Column("product_name", required=False),
    Column("category", required=False),
]


@dataclass(frozen=True, eq=False)
class SkuFile:
    """A SKU file read: its rows (file order), its SKUs in order (once each),
    the first name and category it gives each SKU, and how many rows repeated one."""

    frame: pd.DataFrame  # sku, product_name, category and the reader's extra columns
    skus: tuple[str, ...]
    categories: dict[str, str]
    names: dict[str, str]
    duplicates: int


def _first_given(frame: pd.DataFrame, column: str) -> dict[str, str]:
    if column not in frame.columns:
        return {}
    values = frame[column].fillna("").astype(str).str.strip()
    given = values != ""
    firsts = pd.DataFrame({"sku": frame.loc[given, "sku"], "value": values[given]}).drop_duplicates("sku")
    return dict(zip(firsts["sku"], firsts["value"], strict=True))


def sku_file_read(source: Any, *, extra: Sequence[Column] = (), max_bytes: int | None = None) -> SkuFile:
    """The one reader of SKU files (CSV/XLSX; FileRejected on a bad file):
    `sku`, optional `product_name` and `category`, and the `extra` columns a
    planner reads. `max_bytes` is the job's limit (none for a command's file)."""
    frame = read_table(source, [*SKU_FILE_COLUMNS, *extra], max_bytes=max_bytes)
    frame["sku"] = frame["sku"].astype(str).str.strip()
    frame = frame[frame["sku"] != ""]
    return SkuFile(
        frame=frame,
        skus=tuple(dict.fromkeys(frame["sku"])),
        categories=_first_given(frame, "category"),
        names=_first_given(frame, "product_name"),
        duplicates=int(frame["sku"].duplicated().sum()),
    )


BLOCK_ROWS = 500_000


def iter_table(
    source: Any,
    columns: Sequence[Column],
    *,
    max_bytes: int | None = None,
    block_rows: int = BLOCK_ROWS,
) -> Iterator[pd.DataFrame]:
    """`read_table` in blocks of rows, for big files: the typed columns of one
    block at a time, so that only the file's text is held whole in memory.

    Every block is validated. Once a bad row is found nothing more is yielded,
    the remaining blocks are still checked (so that every error is reported)
    and FileRejected is raised at the end: a caller must not write anything
    before the iteration has finished. Frames are indexed by file row number.
    """
    if isinstance(source, str | Path) and _streamable_csv(source, max_bytes):
        blocks: Iterator[pd.DataFrame] = _csv_stream_blocks(Path(source), block_rows)
    else:
        blocks = _raw_blocks(read_raw_strings(source, max_bytes=max_bytes), block_rows)
    errors: list[RowError] = []
    total_errors = 0
    for block in blocks:  # the first block of a file without rows is empty: read_table explains
        try:
            frame = read_table(block, columns)
        except FileRejected as exc:
            if not exc.errors or exc.errors[0].row == 1:  # a file-level problem (missing columns)
                raise
            errors.extend(exc.errors[: MAX_ERRORS_KEPT - len(errors)])
            total_errors += exc.total_errors
            continue
        if not total_errors:
            yield frame
    if total_errors:
        raise FileRejected(
            msg("files.rows_refused", n=total_errors),
            errors=errors,
            total_errors=total_errors,
        )


def _raw_blocks(raw: pd.DataFrame, block_rows: int) -> Iterator[pd.DataFrame]:
    # An empty frame still yields itself once: the reader reports what it lacks.
    for block in chunks(raw, block_rows) if len(raw) else [raw.iloc[0:0]]:
        block.attrs = raw.attrs
        yield block


# A plain CSV on disk is parsed in blocks of about this many bytes: memory
# stays bounded whatever the file's length (SPEC §11a).
STREAM_BLOCK_BYTES = 8 * 1024 * 1024


def _streamable_csv(path: str | Path, max_bytes: int | None) -> bool:
    """Whether a file can be parsed in blocks: plain UTF-8 CSV text (an
    optional BOM) without NUL bytes or blank lines before the header. Anything
    else (XLSX, UTF-16, Latin-1, damaged files) takes the whole-file path,
    which knows how to transcode or explain it. One pass over the bytes."""
    _check_size(os.path.getsize(path), max_bytes)
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as stream:
        head = stream.read(65536)
        if not head.strip() or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
            return False
        text = head.removeprefix(b"\xef\xbb\xbf")
        if _looks_binary(text) or _LEADING_BLANK_LINES.match(text).end() or b"\n" not in text:  # type: ignore[union-attr]
            return False
        chunk = head
        while chunk:
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            chunk = stream.read(STREAM_BLOCK_BYTES)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_header(header_text: str) -> tuple[str, list[str]]:
    """The delimiter (the most frequent of , ; tab) and the column names of a
    CSV's first line; duplicate names are refused."""
    counts = {d: header_text.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        header = next(csv.reader([header_text], delimiter=delimiter))
    except csv.Error as exc:
        raise FileRejected(msg("files.bad_header", detail=str(exc))) from exc
    _check_duplicate_headers(header)
    return delimiter, header


def _csv_stream_blocks(path: Path, block_rows: int) -> Iterator[pd.DataFrame]:
    """The rows of a `_streamable_csv` file as DataFrames of strings (original
    headers, indexed by file row number), `block_rows` at most each."""
    with path.open("rb") as stream:
        header_text = _first_line(stream.read(65536).removeprefix(b"\xef\xbb\xbf")).decode("utf-8")
    delimiter, header = _csv_header(header_text)
    names = [f"c{i}" for i in range(len(header))]
    bad_rows: list[RowError] = []

    def on_invalid(row: Any) -> str:
        if len(bad_rows) < MAX_ERRORS_KEPT:
            message = msg("files.ragged_row", found=row.actual_columns, expected=row.expected_columns)
            bad_rows.append(RowError(row=row.number, column="", value=(row.text or "")[:200], message=message))
        return "skip"

    read_options = pa_csv.ReadOptions(column_names=names)
    parse_options = pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid)
    convert_options = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    next_row = 2
    for chunk, lines_before in _csv_chunks(path):
        found = len(bad_rows)
        try:
            table = pa_csv.read_csv(io.BytesIO(chunk), read_options, parse_options, convert_options)
        except pa.ArrowException as exc:
            raise FileRejected(msg("files.csv_unreadable", detail=str(exc)[:300])) from exc
        for i in range(found, len(bad_rows)):  # numbered within the chunk: make them file line numbers
            if bad_rows[i].row is not None:
                bad_rows[i] = dataclasses.replace(bad_rows[i], row=(bad_rows[i].row or 0) + lines_before)
        if bad_rows:
            continue  # read on: every bad row is reported, nothing more is yielded
        frame = table.to_pandas()
        del table
        frame.columns = header
        frame.index = pd.RangeIndex(next_row, next_row + len(frame))
        next_row += len(frame)
        yield from chunks(frame, block_rows)
    if next_row == 2 and not bad_rows:
        yield pd.DataFrame(columns=header, dtype=object)  # no rows: read_table says what is missing
    if bad_rows:
        if any(row.row is None for row in bad_rows):
            bad_rows = _ragged_rows(path.read_bytes().removeprefix(b"\xef\xbb\xbf"), delimiter, len(header)) or bad_rows
        raise FileRejected(msg("files.ragged_rows", n=len(bad_rows)), errors=bad_rows)


def _csv_chunks(path: Path) -> Iterator[tuple[bytes, int]]:
    """The data lines of a CSV in chunks of whole lines of about
    STREAM_BLOCK_BYTES, each with the number of file lines before it (the
    header included). Parsed one at a time, the file's text is never whole
    in memory (pyarrow's own streaming reader reads many blocks ahead)."""
    with path.open("rb") as stream:
        lines_before = 1 if stream.readline() else 0
        carry = b""
        while chunk := stream.read(STREAM_BLOCK_BYTES):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            if not cut:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut], lines_before
            lines_before += data.count(b"\n", 0, cut)
        if carry.strip():
            yield carry, lines_before


def _empty_dtype(kind: Kind) -> str:
    return {Kind.TEXT: "str", Kind.DATE: "datetime64[s]", Kind.INT: "Int64", Kind.FLOAT: "float64"}[kind]


def _collect(errors: list[RowError], mask: pd.Series, text: pd.Series, column: str, message: Message) -> int:
    count = int(mask.sum())
    if count and len(errors) < MAX_ERRORS_KEPT:
        room = MAX_ERRORS_KEPT - len(errors)
        for row, value in text[mask].head(room).items():
            errors.append(RowError(int(row), column, str(value)[:200], message))
    return count


def errors_to_csv(errors: Sequence[RowError | dict[str, Any]]) -> str:
    """The error report planners download: row, column, value, message.
    Uploaded values that a spreadsheet would run as formulas are neutralised."""
    from fastdso.exports import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "message"])
    for error in errors:
        item = error.as_dict() if isinstance(error, RowError) else error
        cells = [item.get("row") or "", item.get("column", ""), item.get("value", ""), render(item.get("message", ""))]
        writer.writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()
