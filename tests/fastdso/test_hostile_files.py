"""Hostile files through the one file reader (SPEC §3, issue 9).

Whatever bytes arrive — random, truncated or mutated CSV/XLSX, wrong
encodings, formulas, NUL bytes, 1 MB cells, thousands of columns — the
reader either returns a DataFrame with exactly the requested columns or
raises FileRejected with a message. Never any other exception (a 500 in a
view, a job stuck in a worker). The rejection must also be storable: a job
keeps its errors in a JSON column, and PostgreSQL refuses NUL characters.

Examples per run: the hypothesis profile (tests/conftest.py): `ci` by
default, HYPOTHESIS_PROFILE=thorough for thousands of cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from fastdso.files import Column, FileRejected, Kind, RowError, errors_to_csv, read_table
from fastdso.messages import render as message_text

SALES = [
    Column("sku"),
    Column("store"),
    Column("date", Kind.DATE),
    Column("quantity", Kind.INT, min_value=0),
]
REQUEST = [
    Column("sku"),
    Column("quantity", Kind.INT, required=False, min_value=0),
    Column("price", Kind.FLOAT, required=False),
    Column("category", required=False, allow_blank=True),
]
SPECS = st.sampled_from([SALES, REQUEST])
MAX_BYTES = 8 * 1024 * 1024

FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=1/0",
    "\t=1",
    "\r=1",
]
NASTY_TEXT = [
    "",
    " ",
    "nan",
    "NaN",
    "None",
    "null",
    "inf",
    "-inf",
    "1e400",
    "-0",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "２０２６-０１-０５",  # full-width
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/99999",
    "99999",
    "00012345",
    '"',
    '""',
    'a"b',
    "a\nb",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b",
    "\ufeff",
    "\u202e",
    "😀",
    "Ñuñoa",
    "ﬁ",
]
HEADERS = [
    "sku",
    "SKU",
    " Sku ",
    "store",
    "tienda",
    "Sucursal",
    "date",
    "Fecha",
    "quantity",
    "cantidad",
    "Unidades",
    "price",
    "category",
    "categoría",
    "",
    "\ufeffsku",
    "sku\x00",
    "=sku",
    "a,b",
]


def huge_cells() -> st.SearchStrategy[str]:
    return st.builds(
        lambda ch, size: ch * size,
        st.sampled_from(["x", "9", ",", '"', "é", "\n"]),
        st.sampled_from([70_000, 140_000, 1_048_576]),
    )


CELLS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(1000, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(FORMULAS + NASTY_TEXT),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="latin-1"), max_size=30),
)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=7), min_size=0, max_size=12)
HEADER_ROW = st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), min_size=0, max_size=7)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "mixed":  # each line its own encoding: a file pasted together
        choices = ["utf-8", "latin-1", "cp1252", "utf-16-le"]
        rng = random.Random(len(text))
        return b"".join(line.encode(rng.choice(choices), errors="replace") for line in text.splitlines(True))
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw: st.DrawFn, good_header: bool = False) -> bytes:
    header = (
        draw(st.sampled_from([["sku", "store", "date", "quantity"], ["SKU", "Cantidad", "price"]]))
        if good_header
        else draw(HEADER_ROW)
    )
    rows = draw(ROWS)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
        text = buffer.getvalue()
    else:  # naive join: unquoted delimiters and quotes make ragged rows
        text = newline.join(delimiter.join(row) for row in [header, *rows]) + newline
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "mixed"])
    )
    return _encode(text, encoding)


def _xlsx_value(cell: object) -> object:
    if isinstance(cell, str):
        return ILLEGAL_CHARACTERS_RE.sub("", cell)[:32767]  # what openpyxl can store
    return cell


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    header = draw(HEADER_ROW)
    typed = st.one_of(
        CELLS,
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=False, allow_infinity=False),
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
        st.booleans(),
        st.none(),
    )
    rows = draw(st.lists(st.lists(typed, max_size=7), max_size=10))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([_xlsx_value(cell) for cell in row])
    if draw(st.booleans()):
        book.create_sheet("otra").append(["sku", "quantity"])
    # Fixed timestamps: the same example must give the same bytes (hypothesis replays it).
    book.properties.created = book.properties.modified = dt.datetime(2026, 1, 5)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@st.composite
def mutated(draw: st.DrawFn, files: st.SearchStrategy[bytes]) -> bytes:
    data = bytearray(draw(files))
    how = draw(st.sampled_from(["none", "truncate", "flip", "insert", "delete", "nul"]))

    def position() -> int:
        # Drawn independently of the length: an XLSX's size varies by a byte or
        # two between runs (its timestamps), and hypothesis replays draws.
        return draw(st.integers(min_value=0, max_value=2**16)) * max(len(data) - 1, 0) // 2**16

    if not data or how == "none":
        return bytes(data)
    where = position()
    if how == "truncate":
        return bytes(data[:where])
    if how == "flip":
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            data[position()] ^= draw(st.integers(min_value=1, max_value=255))
        return bytes(data)
    if how == "insert":
        return bytes(data[:where]) + draw(st.binary(min_size=1, max_size=64)) + bytes(data[where:])
    if how == "delete":
        return bytes(data[:where]) + bytes(data[where + draw(st.integers(min_value=1, max_value=64)) :])
    return bytes(data[:where]) + b"\x00" + bytes(data[where:])


@st.composite
def pathological(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(
            ["delimiters", "newlines", "huge_cell", "huge_header", "many_columns", "nul_late", "bom_only", "quotes"]
        )
    )
    n = draw(st.integers(min_value=1, max_value=3000))
    if kind == "delimiters":
        return (draw(st.sampled_from([",", ";", "\t", ",;\t"])) * n + "\n").encode() * draw(st.integers(1, 20))
    if kind == "newlines":
        return draw(st.sampled_from([b"\n", b"\r\n", b"\r", b" \n", b"\x0b\x0c\n"])) * n
    if kind == "huge_cell":
        cell = draw(huge_cells())
        return f"sku,store,date,quantity\n{cell},A,2026-01-05,1\n1,B,2026-01-05,{cell}\n".encode()
    if kind == "huge_header":
        return (draw(huge_cells()) + ",sku,quantity\n1,2,3\n").encode()
    if kind == "many_columns":
        width = draw(st.sampled_from([1_000, 5_000]))
        header = ",".join(["sku", "store", "date", "quantity", *[f"c{i}" for i in range(width)]])
        row = ",".join(["1", "A", "2026-01-05", "1", *["x"] * width])
        return f"{header}\n{row}\n{row}\n".encode()
    if kind == "nul_late":  # NUL bytes past the part sniffed for binary content
        return b"sku,store,date,quantity\n" + b"1,A,2026-01-05,1\n" * 5000 + b"1\x00,A\x00,2026-01-05,1\n"
    if kind == "bom_only":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\n\n"]))
    return b'sku,store,date,quantity\n"1,A,2026-01-05,1\n' * n


FILES = st.one_of(
    st.binary(max_size=4096),
    st.binary(max_size=256).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=256).map(lambda b: b"\xd0\xcf\x11\xe0" + b),
    st.binary(max_size=256).map(lambda b: b"\xff\xfe" + b),
    mutated(csv_files()),
    mutated(csv_files(good_header=True)),
    mutated(xlsx_files()),
    pathological(),
)


def assert_reads_or_rejects_cleanly(data: bytes, columns: list[Column]) -> pd.DataFrame | None:
    """The property: a frame with exactly the columns asked for, or a clean, storable rejection."""
    try:
        frame = read_table(data, columns, max_bytes=MAX_BYTES)
    except FileRejected as exc:
        assert isinstance(message_text(exc.message), str) and message_text(exc.message).strip()
        assert str(exc) == message_text(exc.message)
        assert "\x00" not in message_text(exc.message)
        assert all(isinstance(error, RowError) for error in exc.errors)
        assert exc.total_errors >= len(exc.errors)
        stored = json.dumps([error.as_dict() for error in exc.errors])  # what the job keeps
        assert "\\u0000" not in stored, "PostgreSQL cannot store NUL characters"
        errors_to_csv(exc.errors)
        return None
    assert list(frame.columns) == [column.name for column in columns]
    assert len(frame) > 0
    for column in columns:
        if column.kind is Kind.TEXT:
            values = frame[column.name].dropna()
            assert not values.str.contains("\x00", regex=False).any(), "PostgreSQL cannot store NUL characters"
        if column.kind is Kind.INT and column.required:
            assert frame[column.name].dtype == "int64"
    return frame


@given(data=FILES, columns=SPECS)
@example(data=b"sku,store,date,quantity\n" + b"x" * 200_000 + b",A,2026-01-05,1\n1,A,2026-01-05,1,9\n", columns=SALES)
@example(data=b"\xef\xbb\xbf\xff\xfesku\n", columns=REQUEST)
@example(data="sku\tcantidad\n0001\t3\n".encode("utf-16"), columns=REQUEST)
@example(data=b"sku,store,date,quantity\n1,A,9999-12-31,1\n1,A,0001-01-01,1\n", columns=SALES)
@example(data=b"sku,quantity,price\n1,inf,-inf\n2,,1e400\n3,1e30,nan\n", columns=REQUEST)
def test_reader_returns_requested_columns_or_rejects_cleanly(data, columns):
    assert_reads_or_rejects_cleanly(data, columns)


@pytest.mark.parametrize(
    "data",
    [
        b",,,,,,\n" * 100,
        b"\n" * 10_000,
        b"\r\n" * 10_000,
        b";;;;\n;;;;\n",
        b"\x00" * 1000,
        b"sku,store,date,quantity\n1,A,2026-01-05," + b"9" * 1_048_576 + b"\n",
        b"sku,store,date,quantity\n" + b"y" * 1_048_576 + b",A,2026-01-05,1\n",
        b"sku,store,date,quantity\n=cmd|' /C calc'!A0,A,2026-01-05,1\n",
    ],
    ids=["only-commas", "only-newlines", "only-crlf", "only-semicolons", "nul", "1mb-number", "1mb-sku", "formula"],
)
def test_named_hostile_files(data):
    assert_reads_or_rejects_cleanly(data, SALES)


def test_formula_cells_are_read_as_plain_text():
    data = b"sku,store,date,quantity\n=cmd|' /C calc'!A0,@SUM(A1),2026-01-05,1\n"
    frame = read_table(data, SALES)
    assert frame.loc[2, "sku"] == "=cmd|' /C calc'!A0"  # kept as typed; exports neutralise it
    assert frame.loc[2, "store"] == "@SUM(A1)"


def test_utf16_csv_from_excel_is_read():
    """Excel's "Unicode text" export: UTF-16 with BOM, tab-separated."""
    data = "SKU\tTienda\tFecha\tCantidad\n00012\tTienda Ñuñoa\t2026-01-05\t4\n".encode("utf-16")
    frame = read_table(data, SALES)
    assert frame.loc[2].to_dict() == {
        "sku": "00012",
        "store": "Tienda Ñuñoa",
        "date": pd.Timestamp("2026-01-05"),
        "quantity": 4,
    }


@settings(max_examples=max(10, settings().max_examples // 3))
@given(
    skus=st.lists(st.from_regex(r"[0-9A-Za-z][0-9A-Za-z\-_.]{0,11}", fullmatch=True), min_size=1, max_size=20),
    quantities=st.lists(st.integers(min_value=0, max_value=2_000_000_000), min_size=20, max_size=20),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
)
def test_well_formed_files_round_trip(skus, quantities, delimiter, encoding):
    """The other half of the property: good files are not rejected, and SKUs stay text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["SKU", "Cantidad"])
    writer.writerows(zip(skus, quantities, strict=False))
    frame = read_table(buffer.getvalue().encode(encoding), REQUEST)
    assert list(frame["sku"]) == skus
    assert list(frame["quantity"]) == quantities[: len(skus)]


def test_blank_lines_before_the_header_are_skipped():
    frame = read_table(b"\n \r\nsku;cantidad\n0001;3\n", REQUEST)
    assert frame.loc[2, "sku"] == "0001" and frame.loc[2, "quantity"] == 3


def test_a_tab_separated_header_starting_with_an_empty_column_is_kept():
    frame = read_table(b"\tsku\tcantidad\nx\t0001\t3\n", REQUEST)
    assert frame.loc[2, "sku"] == "0001"


def test_zip_bombs_are_refused_before_inflating(monkeypatch):
    from fastdso import files

    book = openpyxl.Workbook()
    book.active.append(["sku", "cantidad"])
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 1000)
    with pytest.raises(FileRejected, match="demasiado grande"):
        read_table(buffer.getvalue(), REQUEST)


def test_too_long_text_is_a_row_error():
    with pytest.raises(FileRejected) as excinfo:
        read_table(b"sku\n" + b"9" * 65 + b"\n0001\n", [Column("sku", max_length=64)])
    assert [(e.row, e.column) for e in excinfo.value.errors] == [(2, "sku")]
    assert "64" in message_text(excinfo.value.errors[0].message)
