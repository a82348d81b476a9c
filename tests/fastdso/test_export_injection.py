"""Exports neutralise spreadsheet formulas (CSV/Excel injection, issue 9).

Whatever text reaches an export — product names, store names, SKUs from
files — no CSV or XLSX cell may start with = + - @ (or tab / carriage
return) unless it is a number; and no XLSX cell may be a formula.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdso.exports import to_csv_bytes, to_xlsx_bytes

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ["=cmd|' /C calc'!A0", "=1+1", "+1", "-1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\x01=1", "=", "-", "1e5"]

TEXT = st.one_of(
    st.text(max_size=20), st.sampled_from(FORMULAS), st.builds("".join, st.lists(st.sampled_from(FORMULAS)))
)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.none(),
)
FRAMES = st.lists(st.tuples(TEXT, TEXT, VALUE, VALUE), max_size=8).map(
    lambda rows: pd.DataFrame(rows, columns=["sku", "name", "quantity", "mixed"])
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@settings(max_examples=max(10, settings().max_examples // 3))
@given(frame=FRAMES)
def test_csv_cells_never_start_like_a_formula(frame):
    text = to_csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(frame) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(DANGEROUS) or _is_number(cell), repr(cell)


@settings(max_examples=max(10, settings().max_examples // 3))
@given(frame=FRAMES)
def test_xlsx_cells_never_start_like_a_formula(frame):
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, text_columns=("sku",)))).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(frame)
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(DANGEROUS) or _is_number(cell.value), repr(cell.value)


def test_neutralised_text_keeps_what_was_typed_after_the_apostrophe():
    frame = pd.DataFrame({"sku": ["=cmd|' /C calc'!A0"], "name": ["-2+3"], "quantity": [-2]})
    row = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))[1]
    assert row == ["'=cmd|' /C calc'!A0", "'-2+3", "-2"]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [c.value for c in sheet[2]] == ["'=cmd|' /C calc'!A0", "'-2+3", -2]


def test_xlsx_export_drops_control_characters_instead_of_failing():
    frame = pd.DataFrame({"sku": ["00\x0112"], "name": ["\x01=1+1"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [c.value for c in sheet[2]] == ["0012", "'=1+1"]
