"""The macro sales import (SPEC §4.1–§4.3): weekly rows with day columns,
exact replace/append modes, coverage, categories, and bad files refused whole."""

from __future__ import annotations

import datetime as dt
import functools
import io

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from fastdso.files import FileRejected, iter_table
from fastdso.jobs import job_start
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from inventory.models import Product, Store
from sales import macro_import, queries, sales_file, weekly_writer
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad, SalesWeeklyAgg
from sales.services import macro_sales_import
from tests import factories
from tests.sales.uploads import HEADER, csv_file, daily, nothing_written, weekly_table, xlsx_file

pytestmark = pytest.mark.usefixtures("denormalised_copies_agree")

D = dt.date
JAN5, JAN12, JAN19, JAN26 = D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26)


def load(path, mode="replace_range"):
    return macro_sales_import(path=path, mode=mode)


def test_daily_rows_become_weekly_rows_with_day_columns(db, tmp_path):
    path = csv_file(
        tmp_path,
        "ventas.csv",
        [
            "00012345,Tienda Centro,2026-01-05,3",
            "00012345,Tienda Centro,2026-01-05,2",  # same day twice: summed
            "00012345,Tienda Centro,2026-01-11,-1",  # a return on Sunday
            "00012345,Tienda Norte,2026-01-07,4",
            "12345,Tienda Centro,2026-01-12,1",
        ],
    )
    result = load(path)
    assert weekly_table() == {
        ("00012345", "Tienda Centro", JAN5): (4, (5, 0, 0, 0, 0, 0, -1)),
        ("00012345", "Tienda Norte", JAN5): (4, (0, 0, 4, 0, 0, 0, 0)),
        ("12345", "Tienda Centro", JAN12): (1, (1, 0, 0, 0, 0, 0, 0)),
    }
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["00012345", "12345"]
    assert (result.rows_read, result.sku_count, result.store_count, result.week_count) == (5, 2, 2, 2)
    assert (result.new_products, result.new_stores, result.rows_written) == (2, 2, 3)
    load_row = SalesLoad.objects.get()
    assert (load_row.first_date, load_row.last_date, load_row.rows_read) == (JAN5, JAN12, 5)
    assert message_text(result.summary()["date_range"]) == "2026-01-05 → 2026-01-12"


def test_replace_range_replaces_only_the_files_dates_and_stores(db, tmp_path):
    load(
        csv_file(
            tmp_path,
            "a.csv",
            daily("0001", "Centro", JAN5, [1] * 14)
            + ["0002,Centro,2026-01-06,5", "0003,Centro,2026-01-09,7", "0001,Norte,2026-01-10,2"],
        )
    )
    # Thursday 8 to Wednesday 14, Centro only: 0002 and 0003 are absent from the file.
    result = load(csv_file(tmp_path, "b.csv", ["0001,Centro,2026-01-08,10", "0001,Centro,2026-01-14,0"]))
    assert weekly_table() == {
        ("0001", "Centro", JAN5): (13, (1, 1, 1, 10, 0, 0, 0)),  # Mon–Wed kept, Thu–Sun replaced
        ("0001", "Centro", JAN12): (4, (0, 0, 0, 1, 1, 1, 1)),  # Mon–Wed cleared, Thu–Sun kept
        ("0002", "Centro", JAN5): (5, (0, 5, 0, 0, 0, 0, 0)),  # Tuesday 6 is before the range
        ("0001", "Norte", JAN5): (2, (0, 0, 0, 0, 0, 2, 0)),  # another store: untouched
    }  # 0003 sold only on Friday 9, inside the range: its row is gone
    assert (result.rows_written, result.rows_cleared) == (1, 2)


def _month_files(tmp_path):
    january = (
        daily("A001", "Centro", D(2026, 1, 1), [d % 3 + 1 for d in range(31)])
        + daily("B002", "Norte", D(2026, 1, 28), [4])
        + daily("C003", "Centro", D(2026, 1, 1), [2, 0, 0, 1])
    )
    february = (
        daily("A001", "Centro", D(2026, 2, 1), [2] * 28)
        + daily("B002", "Centro", D(2026, 2, 1), [6])
        + daily("C003", "Norte", D(2026, 2, 10), [1])
    )
    return (
        csv_file(tmp_path, "enero.csv", january),
        csv_file(tmp_path, "febrero.csv", february),
        csv_file(tmp_path, "ambos.csv", january + february),
    )


def test_january_then_february_equals_one_file_with_both_even_across_a_straddling_week(db, tmp_path):
    jan, feb, both = _month_files(tmp_path)
    load(jan)
    load(feb)
    split = weekly_table()
    # The week of Monday 26 January straddles both files: Jan 26–31 from one, Sunday Feb 1 from the other.
    assert split[("A001", "Centro", JAN26)] == (2 + 3 + 1 + 2 + 3 + 1 + 2, (2, 3, 1, 2, 3, 1, 2))
    assert split[("B002", "Norte", JAN26)] == (4, (0, 0, 4, 0, 0, 0, 0))
    assert split[("B002", "Centro", JAN26)] == (6, (0, 0, 0, 0, 0, 0, 6))

    SalesWeeklyAgg.objects.all().delete()
    load(both)
    assert weekly_table() == split

    SalesWeeklyAgg.objects.all().delete()
    load(feb)
    load(jan)
    assert weekly_table() == split


def test_reuploading_a_file_changes_nothing(db, tmp_path):
    jan, feb, _ = _month_files(tmp_path)
    load(jan)
    load(feb)
    before = weekly_table()
    ids_before = sorted(SalesWeeklyAgg.objects.values_list("id", flat=True))
    again = load(jan)
    assert weekly_table() == before
    assert sorted(SalesWeeklyAgg.objects.values_list("id", flat=True)) == ids_before
    assert (again.rows_written, again.rows_cleared) == (0, 0)
    assert SalesLoad.objects.count() == 3


def test_append_range_adds_the_files_quantities(db, tmp_path):
    path = csv_file(tmp_path, "v.csv", ["0001,Centro,2026-01-05,2", "0001,Centro,2026-01-07,1"])
    load(path)
    load(path, mode="append_range")
    assert weekly_table() == {("0001", "Centro", JAN5): (6, (4, 0, 2, 0, 0, 0, 0))}
    # Returns that bring a week back to zero remove the row.
    load(csv_file(tmp_path, "r.csv", ["0001,Centro,2026-01-05,-4", "0001,Centro,2026-01-07,-2"]), "append_range")
    assert weekly_table() == {}


def test_category_rule_and_warnings(db, tmp_path, planner):
    shop = factories.store("Centro")
    kept = factories.product("0001", category="Consolas")
    unset = factories.product("0002")
    factories.weekly([(unset, shop, JAN5, 3)])
    path = csv_file(
        tmp_path,
        "v.csv",
        [
            "0001,Centro,2026-01-12,1,,Audio",
            "0002,Centro,2026-01-12,1,,Juegos",
            "0003,Centro,2026-01-12,1,Nuevo,Hogar",
        ],
        header=HEADER + ",product_name,category",
    )
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.DONE
    assert dict(Product.objects.values_list("sku", "category")) == {
        "0001": "Consolas",
        "0002": "Juegos",
        "0003": "Hogar",
    }
    assert [message_text(w) for w in job.warnings] == [
        "SKU 0001: el archivo dice categoría «Audio», se mantiene «Consolas»."
    ]
    assert dict(job.summary_items)["category_warnings"] == 1
    categories = {(r.product.sku, r.week_start): r.category for r in SalesWeeklyAgg.objects.select_related("product")}
    assert categories == {
        ("0002", JAN5): "Juegos",  # an older row, synced when the category was set
        ("0001", JAN12): "Consolas",
        ("0002", JAN12): "Juegos",
        ("0003", JAN12): "Hogar",
    }
    assert kept.pk in Product.objects.values_list("pk", flat=True)


def test_as_of_week_follows_coverage_with_a_partial_last_week(db, tmp_path):
    load(csv_file(tmp_path, "a.csv", daily("0001", "Centro", JAN5, [1] * 17)))  # Jan 5 … Wednesday Jan 21
    assert queries.last_loaded_sale_date() == D(2026, 1, 21)
    assert queries.default_as_of_week() == JAN12  # the week of the 19th is not complete
    assert queries.window(2) == (JAN5, JAN12)
    load(csv_file(tmp_path, "b.csv", daily("0001", "Centro", D(2026, 1, 22), [1] * 4)))  # … Sunday Jan 25
    assert queries.default_as_of_week() == JAN19
    sales = queries.weekly_sales(["0001"], 3)
    assert dict(zip(sales["week_start"], sales["units"], strict=True)) == {JAN5: 7, JAN12: 7, JAN19: 7}


def test_spanish_headers_semicolons_latin1_and_store_spellings(db, tmp_path):
    path = csv_file(
        tmp_path,
        "ventas.csv",
        ["00077;Tienda  Ñuñoa;05/01/2026;3;Control;Accesorios", "00077;tienda ñuñoa;06/01/2026;2;Control;Accesorios"],
        header="SKU;Tienda;Fecha;Cantidad;Producto;Categoría",
        encoding="latin-1",
    )
    load(path)
    assert weekly_table() == {("00077", "Tienda Ñuñoa", JAN5): (5, (3, 2, 0, 0, 0, 0, 0))}
    assert Product.objects.get().category == "Accesorios"
    assert Store.objects.count() == 1


def test_leading_zeros_survive_csv_and_xlsx(db, tmp_path):
    load(csv_file(tmp_path, "v.csv", ["00012345,Centro,2026-01-05,1", "12345,Centro,2026-01-05,2"]))
    path = xlsx_file(
        tmp_path,
        "v.xlsx",
        [
            ["SKU", "Tienda", "Fecha", "Cantidad"],
            ["000999", "Centro", dt.datetime(2026, 1, 6), 4],
            [999.0, "Centro", "07/01/2026", 5.0],
        ],
    )
    load(path, mode="append_range")
    assert weekly_table() == {
        ("00012345", "Centro", JAN5): (1, (1, 0, 0, 0, 0, 0, 0)),
        ("12345", "Centro", JAN5): (2, (2, 0, 0, 0, 0, 0, 0)),
        ("000999", "Centro", JAN5): (4, (0, 4, 0, 0, 0, 0, 0)),
        ("999", "Centro", JAN5): (5, (0, 0, 5, 0, 0, 0, 0)),
    }


BAD_FILES = [
    pytest.param(
        b"sku,store,quantity\n1,A,2\n", "Faltan columnas obligatorias: date", (1, "date"), id="missing-column"
    ),
    pytest.param(b"sku,store,date,quantity\n1,A,2026-02-30,1\n", "error", (2, "date"), id="bad-date"),
    pytest.param(b"sku,store,date,quantity\n1,A,2026-01-05,x\n", "error", (2, "quantity"), id="not-a-number"),
    pytest.param(b"sku,store,date,quantity\n1,A,2026-01-05,1.5\n", "error", (2, "quantity"), id="not-an-integer"),
    pytest.param(b"sku,store,date,quantity\n,A,2026-01-05,1\n", "error", (2, "sku"), id="empty-sku"),
    pytest.param(b"sku,store,date,quantity\n1,,2026-01-05,1\n", "error", (2, "store"), id="empty-store"),
    pytest.param(b"", "vac", None, id="empty-file"),
    pytest.param(b"sku,store,date,quantity\n", "solo tiene el encabezado", None, id="header-only"),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "no es un CSV ni un XLSX", None, id="image-as-csv"
    ),
    pytest.param(b"sku,SKU,store,date,quantity\n1,1,A,2026-01-05,1\n", "Encabezado duplicado", None, id="dup-header"),
    pytest.param(b"sku,store,date,quantity\n1,A,2026-01-05,1,9\n", "columnas", (2, ""), id="ragged-row"),
    pytest.param(b"sku,store,date,quantity\n1,A,1899-12-31,1\n", "fuera de rango", (2, "date"), id="date-range"),
    pytest.param(b"sku,store,date,quantity\n1,A,1999-12-31,1\n", "fuera de rango", (2, "date"), id="before-2000"),
    pytest.param(
        b"sku,store,date,quantity\n1,A,2026-01-05,1\n1,A,2173-10-13,1\n", "fuera de rango", (3, "date"), id="future"
    ),
    pytest.param(
        "sku,store,date,quantity\n1,Ñandú,2026-01-05,1\n".encode() + "2,Ñandú,2026-01-05,1\n".encode("latin-1"),
        "mezcla codificaciones",
        (3, ""),
        id="mixed-encodings",
    ),
    pytest.param(b"sku,store,date,quantity\n" + b"9" * 65 + b",A,2026-01-05,1\n", "largo", (2, "sku"), id="long-sku"),
    pytest.param(
        b"sku,store,date,quantity\n1,A,2026-01-05,1\n2,A,2026-01-06,2\n3,A,2026-01-07,tres\n",
        "error",
        (4, "quantity"),
        id="bad-last-row",
    ),
]


@pytest.mark.parametrize(("content", "fragment", "where"), BAD_FILES)
def test_bad_files_are_refused_whole_and_name_the_row(db, tmp_path, planner, content, fragment, where):
    path = tmp_path / "ventas.csv"
    path.write_bytes(content)
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.FAILED
    assert fragment in " ".join([message_text(job.message), *(message_text(e["message"]) for e in job.errors)])
    if where is not None:
        assert (job.errors[0]["row"], job.errors[0]["column"]) == where
    assert nothing_written()
    assert not SalesLoad.objects.exists()
    assert not AuditEvent.objects.filter(action="upload").exists()


def test_a_bad_row_in_a_later_block_still_refuses_everything(db, tmp_path, monkeypatch):
    monkeypatch.setattr(sales_file, "iter_table", functools.partial(iter_table, block_rows=2))
    path = csv_file(
        tmp_path,
        "v.csv",
        ["1,A,2026-01-05,1", "2,A,2026-01-05,1", "3,A,2026-01-05,1", "4,A,2026-01-05,1", "5,A,2026-31-01,1"],
    )
    with pytest.raises(FileRejected) as excinfo:
        load(path)
    assert [(e.row, e.column) for e in excinfo.value.errors] == [(6, "date")]
    assert nothing_written()


def test_file_over_the_size_limit_is_refused_before_reading(db, tmp_path, planner, settings):
    settings.FASTDSO_MAX_UPLOAD_MB = 0
    upload = SimpleUploadedFile("v.csv", b"sku,store,date,quantity\n1,A,2026-01-05,1\n")
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, upload=upload, sync=True)
    assert job.status == Job.Status.FAILED
    assert "máximo" in message_text(job.message)
    assert nothing_written()


def test_command_files_have_no_size_limit_unless_max_mb(db, tmp_path, settings):
    """The web limit does not apply to the command line; --max-mb sets one."""
    settings.FASTDSO_MAX_UPLOAD_MB = 0
    path = csv_file(tmp_path, "v.csv", ["1,A,2026-01-05,1"])
    with pytest.raises(CommandError, match="máximo permitido es 0 MB"):
        call_command("import_macro_sales", str(path), "--max-mb", "0", stdout=io.StringIO(), stderr=io.StringIO())
    assert nothing_written()
    call_command("import_macro_sales", str(path), stdout=io.StringIO())
    assert SalesWeeklyAgg.objects.get().units == 1


def test_upload_is_audited_with_counts(db, tmp_path, planner):
    path = csv_file(tmp_path, "v.csv", ["0001,Centro,2026-01-05,2", "0002,Norte,2026-01-13,1"])
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, params={"mode": "append_range"}, sync=True)
    event = AuditEvent.objects.get(action="upload")
    assert event.user == planner
    assert event.object_type == "sales.SalesLoad"
    assert event.object_url == f"/jobs/{job.pk}/"
    assert event.details | {"first_date": None} == {
        "kind": "macro_sales",
        "mode": "append_range",
        "rows": 2,
        "skus": 2,
        "stores": 2,
        "weeks": 2,
        "first_date": None,
        "last_date": "2026-01-13",
        "rows_written": 2,
        "rows_cleared": 0,
        "new_products": 2,
        "new_stores": 2,
        "category_warnings": 0,
    }
    assert job.counts == {"rows_read": 2, "rows_written": 2}
    assert SalesLoad.objects.get().job == job


def test_a_generated_200k_row_file_loads_exactly(db, tmp_path):
    skus = np.array([f"{i:08d}" for i in range(500)])
    stores = np.array([f"Tienda {i:03d}" for i in range(20)])
    days = pd.date_range("2026-01-01", periods=20).strftime("%Y-%m-%d").to_numpy()
    grid = np.array(np.meshgrid(np.arange(500), np.arange(20), np.arange(20), indexing="ij")).reshape(3, -1)
    frame = pd.DataFrame(
        {
            "sku": skus[grid[0]],
            "store": stores[grid[1]],
            "date": days[grid[2]],
            "quantity": (grid[0] + grid[1] * 3 + grid[2]) % 5 - 1,
        }
    )
    assert len(frame) == 200_000
    path = tmp_path / "grande.csv"
    frame.to_csv(path, index=False)
    result = load(path)

    dates = pd.to_datetime(frame["date"])
    frame["week_start"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date
    frame["weekday"] = dates.dt.day_of_week
    days_by_week = frame.pivot_table(
        index=["sku", "store", "week_start"], columns="weekday", values="quantity", aggfunc="sum", fill_value=0
    )
    expected = days_by_week[(days_by_week != 0).any(axis=1)]
    assert result.rows_read == 200_000
    assert SalesWeeklyAgg.objects.count() == len(expected) == result.rows_written
    assert sum(SalesWeeklyAgg.objects.values_list("units", flat=True)) == int(frame["quantity"].sum())
    sample = SalesWeeklyAgg.objects.get(product__sku="00000007", store__name="Tienda 013", week_start=JAN5)
    assert [sample.mon, sample.tue, sample.wed, sample.thu, sample.fri, sample.sat, sample.sun] == list(
        expected.loc[("00000007", "Tienda 013", JAN5)].astype(int)
    )
    assert load(path).rows_written == 0


@pytest.mark.parametrize("block", [4096, 7])  # 7: many blocks, some full, some partly unchanged
def test_an_overlapping_upload_that_changes_some_rows_matches_the_daily_truth(db, tmp_path, monkeypatch, block):
    """Second file: other dates (a straddling boundary on both ends), some
    rows equal to what is stored, some changed, some gone, some new, and a
    store absent from it. The table must equal the daily truth, and only
    the rows that differ count as written or cleared."""
    monkeypatch.setattr(weekly_writer, "RUN_BLOCK", block)
    rng = np.random.default_rng(7)
    skus = [f"{i:08d}" for i in range(12)]
    stores = ["Norte", "Sur", "Este"]

    def frame_for(first, days, store_list, sku_list):
        dates = pd.date_range(first, periods=days).date
        grid = [(k, s, d) for k in sku_list for s in store_list for d in dates]
        quantity = rng.integers(0, 4, len(grid))
        rows = pd.DataFrame(grid, columns=["sku", "store", "date"]).assign(quantity=quantity)
        return rows

    first_file = frame_for("2026-01-01", 31, stores, skus)  # Thu 1 Jan → Sat 31 Jan
    # The second file (Wed 14 Jan → Tue 10 Feb, two stores): its January days
    # copy the first file for half the SKUs, so those weekly rows come back
    # equal; the last SKU is not in it, so its rows there are cleared.
    second = frame_for("2026-01-14", 28, ["Norte", "Sur"], skus[:-1])
    same = second["sku"].isin(skus[:6]) & (pd.to_datetime(second["date"]) <= "2026-01-31")
    first_indexed = first_file.set_index(["sku", "store", "date"])["quantity"]
    second.loc[same, "quantity"] = first_indexed.reindex(
        pd.MultiIndex.from_frame(second.loc[same, ["sku", "store", "date"]])
    ).to_numpy()
    for frame, name in ((first_file, "a.csv"), (second, "b.csv")):
        frame.assign(date=pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")).to_csv(tmp_path / name, index=False)

    load(tmp_path / "a.csv")
    stored_before = {
        (r.product.sku, r.store.name, r.week_start): [r.mon, r.tue, r.wed, r.thu, r.fri, r.sat, r.sun]
        for r in SalesWeeklyAgg.objects.select_related("product", "store")
    }
    result = load(tmp_path / "b.csv")

    # The truth: day by day, the second file replaces its stores' dates.
    truth = first_file.set_index(["sku", "store", "date"])["quantity"].to_dict()
    lo, hi = D(2026, 1, 14), D(2026, 2, 10)
    for key in list(truth):
        if key[1] in ("Norte", "Sur") and lo <= key[2] <= hi:
            del truth[key]
    truth.update(second.set_index(["sku", "store", "date"])["quantity"].to_dict())
    expected: dict[tuple, list[int]] = {}
    for (sku, store, day), quantity in truth.items():
        week = day - dt.timedelta(days=day.weekday())
        expected.setdefault((sku, store, week), [0] * 7)[day.weekday()] += int(quantity)
    expected = {k: v for k, v in expected.items() if any(v)}
    stored = {
        (r.product.sku, r.store.name, r.week_start): [r.mon, r.tue, r.wed, r.thu, r.fri, r.sat, r.sun]
        for r in SalesWeeklyAgg.objects.select_related("product", "store")
    }
    assert stored == expected
    assert all(r.units == r.mon + r.tue + r.wed + r.thu + r.fri + r.sat + r.sun for r in SalesWeeklyAgg.objects.all())
    second_dates = pd.to_datetime(second["date"])
    second_weeks = (second_dates - pd.to_timedelta(second_dates.dt.day_of_week, unit="D")).dt.date
    second_keys = {
        k for k, q in second.assign(week=second_weeks).groupby(["sku", "store", "week"])["quantity"].sum().items() if q
    }
    written = sum(1 for k in second_keys if expected.get(k) != stored_before.get(k))
    in_range = [k for k in stored_before if k[1] != "Este" and D(2026, 1, 12) <= k[2] <= D(2026, 2, 9)]
    cleared = sum(1 for k in in_range if k not in second_keys and expected.get(k) != stored_before[k])
    assert 0 < written < len(second_keys)  # some rows came back equal
    assert cleared > 0
    assert (result.rows_written, result.rows_cleared) == (written, cleared)
    assert load(tmp_path / "b.csv").rows_written == 0


@pytest.mark.parametrize("mode", ["replace_range", "append_range"])
def test_a_file_of_only_zeros_clears_its_range_under_replace_and_changes_nothing_under_append(db, tmp_path, mode):
    load(csv_file(tmp_path, "a.csv", daily("0001", "Centro", JAN5, [1, 2, 3]) + daily("0002", "Centro", JAN5, [4])))
    zeros = csv_file(tmp_path, "ceros.csv", ["0001,Centro,2026-01-05,0", "0001,Centro,2026-01-11,0"])
    result = load(zeros, mode=mode)
    if mode == "replace_range":  # Monday 5 to Sunday 11: the whole week, both SKUs
        assert weekly_table() == {}
        assert (result.weekly_rows, result.rows_written, result.rows_cleared) == (0, 0, 2)
    else:
        assert weekly_table() == {
            ("0001", "Centro", JAN5): (6, (1, 2, 3, 0, 0, 0, 0)),
            ("0002", "Centro", JAN5): (4, (4, 0, 0, 0, 0, 0, 0)),
        }
        assert (result.rows_written, result.rows_cleared) == (0, 0)


def test_xlsx_date_serial_99999_is_a_row_error(db, tmp_path, planner):
    path = xlsx_file(
        tmp_path, "ventas.xlsx", [["sku", "store", "date", "quantity"], ["1", "A", 46027, 1], ["2", "A", 99999, 1]]
    )
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.FAILED
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(3, "date", "2173-10-13")]
    assert "fuera de rango" in message_text(job.errors[0]["message"])
    assert nothing_written()


def test_sales_dates_up_to_a_week_ahead_load_and_later_ones_do_not(db, tmp_path, planner):
    from django.utils import timezone

    last = timezone.localdate() + dt.timedelta(days=7)
    ok = csv_file(tmp_path, "ok.csv", [f"1,A,{last:%Y-%m-%d},1"])
    assert job_start(kind=MACRO_SALES_IMPORT, user=planner, path=ok, sync=True).status == Job.Status.DONE
    late = csv_file(tmp_path, "late.csv", [f"1,A,{last + dt.timedelta(days=1):%Y-%m-%d},1"])
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=late, sync=True)
    assert job.status == Job.Status.FAILED and job.errors[0]["row"] == 2
    assert f"{last:%Y-%m-%d}" in message_text(job.errors[0]["message"])


def test_mixed_encodings_name_every_bad_row_and_write_nothing(db, tmp_path, planner):
    path = tmp_path / "mixta.csv"
    path.write_bytes(
        b"sku,store,date,quantity\n"
        + "1,Ñandú,2026-01-05,1\n".encode()
        + "2,Ñandú,2026-01-05,1\n".encode("latin-1")
        + b"3,A,2026-01-05,1\n"
        + "4,Peñalolén,2026-01-05,1\n".encode("cp1252")
    )
    job = job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.FAILED
    assert [e["row"] for e in job.errors] == [3, 5] and job.error_count == 2
    assert "Ñand" in job.errors[0]["value"]
    assert nothing_written() and not Store.objects.exists()


def test_a_latin1_file_still_loads(db, tmp_path, planner):
    path = csv_file(tmp_path, "latin.csv", ["1,Ñuñoa,2026-01-05,1"], encoding="latin-1")
    assert job_start(kind=MACRO_SALES_IMPORT, user=planner, path=path, sync=True).status == Job.Status.DONE
    assert Store.objects.get().name == "Ñuñoa"


def _weekly_indexes() -> dict[str, tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, SalesWeeklyAgg._meta.db_table)
    return {
        name: (tuple(c["columns"]), c["unique"], c["primary_key"])
        for name, c in found.items()
        if (c["index"] or c["unique"] or c["primary_key"]) and not name.startswith("sqlite_autoindex")
    }


def test_a_first_load_builds_the_indexes_after_the_rows_and_a_second_one_keeps_them(db, tmp_path, monkeypatch):
    """Into an empty table the indexes are dropped and built again after the
    load (SPEC §11a); into a populated one they stay: both end equal."""
    indexes = _weekly_indexes()
    assert "salesweekly_cat_week_store_idx" in indexes
    monkeypatch.setattr(weekly_writer, "INDEXES_REBUILT_FROM", 1)
    rebuilt = []
    real = weekly_writer.indexes_rebuilt_after

    def rebuild_counted(table):
        rebuilt.append(table)
        return real(table)

    monkeypatch.setattr(weekly_writer, "indexes_rebuilt_after", rebuild_counted)
    load(csv_file(tmp_path, "a.csv", daily("0001", "Centro", JAN5, [1, 2]) + daily("0002", "Norte", JAN12, [3])))
    load(csv_file(tmp_path, "b.csv", daily("0003", "Centro", JAN19, [4])))
    assert rebuilt == [SalesWeeklyAgg._meta.db_table]  # the first load only
    assert _weekly_indexes() == indexes
    assert weekly_table() == {
        ("0001", "Centro", JAN5): (3, (1, 2, 0, 0, 0, 0, 0)),
        ("0002", "Norte", JAN12): (3, (3, 0, 0, 0, 0, 0, 0)),
        ("0003", "Centro", JAN19): (4, (4, 0, 0, 0, 0, 0, 0)),
    }
    with pytest.raises(IntegrityError), transaction.atomic():  # the rebuilt unique constraint holds
        SalesWeeklyAgg.objects.create(
            product=Product.objects.get(sku="0001"), store=Store.objects.get(name="Centro"), week_start=JAN5, units=0
        )


def test_a_first_load_that_fails_after_its_rows_leaves_nothing_and_the_indexes_in_place(db, tmp_path, monkeypatch):
    indexes = _weekly_indexes()
    monkeypatch.setattr(weekly_writer, "INDEXES_REBUILT_FROM", 1)

    def broken(**_kwargs):
        raise RuntimeError("la base de datos se cayó")

    monkeypatch.setattr(macro_import, "coverage_extend", broken)
    with pytest.raises(RuntimeError):
        load(csv_file(tmp_path, "a.csv", daily("0001", "Centro", JAN5, [1, 2])))
    assert nothing_written()
    assert _weekly_indexes() == indexes


def test_a_reupload_with_the_same_keys_pairs_rows_in_memory_and_writes_only_changes(db, tmp_path, monkeypatch):
    """PostgreSQL pairs a range holding exactly the file's keys row by row
    (binary read, no join); the outcome is the day-by-day truth either way."""
    paired = []
    real = weekly_writer.same_keys_paired

    def pairing_counted(*args):
        paired.append(1)
        return real(*args)

    monkeypatch.setattr(weekly_writer, "same_keys_paired", pairing_counted)
    lines = daily("0001", "Centro", JAN5, [1, 2, 3]) + daily("0002", "Centro", JAN12, [5])
    lines += daily("0001", "Norte", JAN5, [7])
    load(csv_file(tmp_path, "a.csv", lines))
    assert load(csv_file(tmp_path, "a.csv", lines)).rows_written == 0
    lines[1] = "0001,Centro,2026-01-06,9"  # a corrected Tuesday
    result = load(csv_file(tmp_path, "b.csv", lines))
    assert (result.rows_written, result.rows_cleared) == (1, 0)
    assert weekly_table() == {
        ("0001", "Centro", JAN5): (13, (1, 9, 3, 0, 0, 0, 0)),
        ("0002", "Centro", JAN12): (5, (5, 0, 0, 0, 0, 0, 0)),
        ("0001", "Norte", JAN5): (7, (7, 0, 0, 0, 0, 0, 0)),
    }
    from fastdso.db import is_postgres

    assert len(paired) == (2 if is_postgres() else 0)
