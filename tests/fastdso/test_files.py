"""The one file reader (SPEC §3): text identifiers, aliases, dates, errors."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from fastdso.files import Column, FileRejected, Kind, read_table
from fastdso.messages import render as message_text

SALES = [Column("sku"), Column("store"), Column("date", Kind.DATE), Column("quantity", Kind.INT)]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_keeps_leading_zeros_and_parses_both_date_forms():
    data = b"sku,store,date,quantity\n00012345,Tienda A,2026-01-05,3\n00012345,Tienda A,06/01/2026,-1\n"
    df = read_table(data, SALES)
    assert list(df["sku"]) == ["00012345", "00012345"]
    assert list(df["date"].dt.date) == [dt.date(2026, 1, 5), dt.date(2026, 1, 6)]
    assert list(df["quantity"]) == [3, -1]
    assert list(df.index) == [2, 3]


def test_semicolon_bom_spanish_headers():
    data = "\ufeffSKU;Tienda;Fecha;Cantidad\n0007;Tienda Ñuñoa;2026-01-05;3.0\n".encode()
    df = read_table(data, SALES)
    assert df.iloc[0].to_dict() | {"date": None} == {
        "sku": "0007",
        "store": "Tienda Ñuñoa",
        "date": None,
        "quantity": 3,
    }


def test_latin1_is_tolerated():
    data = "sku,tienda,fecha,cantidad\n1,Tienda Ñuñoa,2026-01-05,1\n".encode("latin-1")
    assert read_table(data, SALES)["store"].iloc[0] == "Tienda Ñuñoa"


def test_xlsx_numbers_become_text_and_dates_parse():
    data = _xlsx(
        [
            ["sku", "store", "date", "quantity"],
            [12345.0, "Tienda A", dt.datetime(2026, 1, 5), 2],
            ["00099", "Tienda A", "07/01/2026", 1.0],
        ]
    )
    df = read_table(data, SALES)
    assert list(df["sku"]) == ["12345", "00099"]
    assert list(df["date"].dt.date) == [dt.date(2026, 1, 5), dt.date(2026, 1, 7)]
    assert list(df["quantity"]) == [2, 1]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "vac"),
        (b"sku,store,date,quantity\n", "solo tiene el encabezado"),
        (b"sku,store,quantity\n1,A,2\n", "Faltan columnas obligatorias: date"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "no es un CSV ni un XLSX"),
        (b"sku,SKU,store,date,quantity\n1,1,A,2026-01-05,1\n", "Encabezado duplicado"),
        (b"PK\x03\x04garbage", "XLSX"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, fragment):
    with pytest.raises(FileRejected) as excinfo:
        read_table(data, SALES)
    assert fragment in message_text(excinfo.value.message)


def test_row_errors_name_row_column_value():
    data = b"sku,store,date,quantity\n1,A,2026-02-30,x\n,A,2026-01-05,1.5\n"
    with pytest.raises(FileRejected) as excinfo:
        read_table(data, SALES)
    got = {(e.row, e.column, e.value) for e in excinfo.value.errors}
    assert got == {(2, "date", "2026-02-30"), (2, "quantity", "x"), (3, "sku", ""), (3, "quantity", "1.5")}
    assert excinfo.value.total_errors == 4


def test_ragged_rows_are_refused():
    with pytest.raises(FileRejected) as excinfo:
        read_table(b"sku,store,date,quantity\n1,A,2026-01-05,1,extra\n", SALES)
    assert excinfo.value.errors[0].row is not None


def test_size_limit_refuses_before_parsing():
    with pytest.raises(FileRejected, match="máximo"):
        read_table(b"sku,store,date,quantity\n" + b"1,A,2026-01-05,1\n" * 100, SALES, max_bytes=100)


def test_optional_columns_absent_and_min_value():
    cols = [Column("sku"), Column("quantity", Kind.INT, min_value=0), Column("category", required=False)]
    df = read_table(b"sku,quantity\n1,0\n", cols)
    assert df["category"].isna().all()
    with pytest.raises(FileRejected):
        read_table(b"sku,quantity\n1,-2\n", cols)


def test_iter_table_validates_every_block_and_reports_all_errors():
    from fastdso.files import iter_table

    data = b"sku,store,date,quantity\n" + b"".join(
        f"{i:05d},A,2026-01-05,{'x' if i in (1, 6) else i}\n".encode() for i in range(7)
    )
    with pytest.raises(FileRejected) as excinfo:
        list(iter_table(data, SALES, block_rows=2))
    assert [(e.row, e.column, e.value) for e in excinfo.value.errors] == [(3, "quantity", "x"), (8, "quantity", "x")]
    assert excinfo.value.total_errors == 2


def test_iter_table_blocks_keep_file_row_numbers_and_text_skus():
    from fastdso.files import iter_table

    data = b"SKU;Tienda;Fecha;Cantidad\n" + b"".join(f"{i:05d};A;05/01/2026;{i}\n".encode() for i in range(5))
    blocks = list(iter_table(data, SALES, block_rows=2))
    assert [list(b.index) for b in blocks] == [[2, 3], [4, 5], [6]]
    assert list(blocks[2]["sku"]) == ["00004"]
    assert blocks[1]["quantity"].tolist() == [2, 3]


def test_iter_table_refuses_missing_columns_and_header_only_files():
    from fastdso.files import iter_table

    with pytest.raises(FileRejected, match="Faltan columnas obligatorias: date"):
        list(iter_table(b"sku,store,quantity\n1,A,1\n", SALES))
    with pytest.raises(FileRejected, match="solo tiene el encabezado"):
        list(iter_table(b"sku,store,date,quantity\n", SALES))


def test_xlsx_leading_zeros_spanish_headers_and_excel_dates():
    data = _xlsx(
        [
            ["SKU", "Tienda", "Fecha", "Cantidad"],
            ["00012345", "Tienda Ñuñoa", dt.date(2026, 1, 5), 3],
            [12345, "Tienda Ñuñoa", "2026-01-06", -1],
        ]
    )
    df = read_table(data, SALES)
    assert list(df["sku"]) == ["00012345", "12345"]
    assert list(df["quantity"]) == [3, -1]
    assert list(df.index) == [2, 3]


def test_a_csv_on_disk_is_read_in_blocks_with_the_same_rows_and_row_numbers(tmp_path, monkeypatch):
    from fastdso import files
    from fastdso.files import iter_table

    text = "\ufeffSKU;Tienda;Fecha;Cantidad\n" + "".join(f"{i:05d};Ñuñoa {i % 3};05/01/2026;{i}\n" for i in range(40))
    path = tmp_path / "v.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(files, "STREAM_BLOCK_BYTES", 128)  # several parse blocks
    assert files._streamable_csv(path, None)
    streamed = pd.concat(list(iter_table(path, SALES, block_rows=7)))
    whole = pd.concat(list(iter_table(path.read_bytes(), SALES, block_rows=7)))
    pd.testing.assert_frame_equal(streamed, whole)
    assert list(streamed.index) == list(range(2, 42))
    assert streamed["sku"].iloc[7] == "00007" and streamed["store"].iloc[7] == "Ñuñoa 1"


def test_a_streamed_csv_names_its_ragged_rows_and_its_missing_columns(tmp_path, monkeypatch):
    from fastdso import files
    from fastdso.files import iter_table

    monkeypatch.setattr(files, "STREAM_BLOCK_BYTES", 64)
    lines = [f"{i:05d},A,2026-01-05,{i}" for i in range(12)]
    lines[9] += ",extra"
    path = tmp_path / "v.csv"
    path.write_text("sku,store,date,quantity\n" + "\n".join(lines) + "\n")
    with pytest.raises(FileRejected) as excinfo:
        list(iter_table(path, SALES))
    assert [e.row for e in excinfo.value.errors] == [11]
    path.write_text("sku,store,quantity\n1,A,1\n")
    with pytest.raises(FileRejected, match="Faltan columnas obligatorias: date"):
        list(iter_table(path, SALES))
    path.write_text("sku,store,date,quantity\n")
    with pytest.raises(FileRejected, match="solo tiene el encabezado"):
        list(iter_table(path, SALES))


def test_files_that_are_not_plain_utf8_csv_are_read_whole(tmp_path):
    from fastdso import files

    cases = {
        "latin1.csv": "sku,store,date,quantity\n1,Peñalolén,2026-01-05,1\n".encode("latin-1"),
        "blank.csv": b"\n\nsku,store,date,quantity\n1,A,2026-01-05,1\n",
        "nul.csv": b"sku,store,date,quantity\n1,A\x00,2026-01-05,1\n",
        "utf16.csv": "sku,store,date,quantity\n1,A,2026-01-05,1\n".encode("utf-16"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert not files._streamable_csv(tmp_path / name, None), name
    rows = pd.concat(list(files.iter_table(tmp_path / "latin1.csv", SALES)))
    assert rows["store"].tolist() == ["Peñalolén"]


def test_one_sku_file_reader_for_every_planner():
    """fastdso.files.sku_file_read (issue 30: four copies before): SKUs as text
    in file order once each, the first name and category given per SKU, the
    repeated rows counted, and a planner's extra columns typed."""
    from fastdso.files import sku_file_read

    data = (
        "SKU;Producto;Categoría;qty\n"
        "00012;Consola;Consolas;2\n"
        " 7 ;;;\n"
        "00012;Otra;Accesorios;3\n"
        "0007;Control; Audio ;1\n"
    ).encode()
    read = sku_file_read(io.BytesIO(data), extra=[Column("qty", Kind.INT, required=False, min_value=0)])
    assert read.skus == ("00012", "7", "0007")
    assert read.names == {"00012": "Consola", "0007": "Control"}
    assert read.categories == {"00012": "Consolas", "0007": "Audio"}
    assert read.duplicates == 1
    assert read.frame["qty"].tolist()[0] == 2 and pd.isna(read.frame["qty"].tolist()[1])
    plain = sku_file_read(io.BytesIO(b"sku\n1\n2\n"))
    assert plain.skus == ("1", "2") and plain.names == {} and plain.categories == {}


def test_a_decimal_column_takes_the_spanish_decimal_comma():
    """The guides write "1,0": a Spanish Excel saves "1,5" in a semicolon file.
    Decimals take it; units (INT) keep refusing a comma, "1,000" included."""
    columns = [Column("store"), Column("size_factor", Kind.FLOAT, min_value=0), Column("units", Kind.INT)]
    df = read_table(b"store;size_factor;units\nA;1,5;2\nB;0.75;3\nC;,5;4\n", columns)
    assert df["size_factor"].tolist() == [1.5, 0.75, 0.5]
    with pytest.raises(FileRejected) as excinfo:
        read_table(b"store;size_factor;units\nA;1,2,3;1,000\n", columns)
    assert {(e.column, e.value) for e in excinfo.value.errors} == {("size_factor", "1,2,3"), ("units", "1,000")}
