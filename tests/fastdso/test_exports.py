from __future__ import annotations

import io

import openpyxl
import pandas as pd

from fastdso.exports import to_csv_bytes, to_xlsx_bytes


def test_xlsx_keeps_sku_as_text_and_neutralises_formulas():
    frame = pd.DataFrame({"sku": ["00012345", "=cmd|' /C calc'!A0"], "qty": [3, -2]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    sheet = book.active
    assert sheet["A2"].value == "00012345" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value.startswith("'=")
    assert sheet["B3"].value == -2  # numbers stay numbers


def test_csv_has_bom_and_neutralised_text():
    text = to_csv_bytes(pd.DataFrame({"sku": ["0001", "@SUM(A1)"], "qty": [1, 2]})).decode("utf-8")
    assert text.startswith("\ufeffsku,qty")
    assert "'@SUM(A1)" in text and "0001,1" in text
