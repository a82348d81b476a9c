"""Products import: create, rename, the category rule, text SKUs."""

from __future__ import annotations

import pytest

from fastdso.jobs import job_start
from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.jobs import PRODUCT_IMPORT
from inventory.models import Product
from sales.models import SalesWeeklyAgg
from tests import factories
from tests.sales.uploads import csv_file, xlsx_file

pytestmark = pytest.mark.usefixtures("denormalised_copies_agree")


def test_products_are_created_renamed_and_categorised(db, tmp_path, planner, week):
    factories.product("00012345", name="Viejo nombre", category="Consolas")
    sin_categoria = factories.product("00012346", name="Control")
    factories.weekly([(sin_categoria, factories.store("Centro"), week(0), 2)])
    path = csv_file(
        tmp_path,
        "p.csv",
        [
            "00012345,Consola Alfa,Audio",  # renamed; category differs: kept + warning
            "00012346,,Accesorios",  # category set; the name stays
            "12346,Otro producto,Accesorios",  # a new SKU, not the same as 00012346
            "12346,,",  # repeated: the first non-empty values win
        ],
        header="sku,product_name,category",
    )
    job = job_start(kind=PRODUCT_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.DONE
    assert {p.sku: (p.name, p.category) for p in Product.objects.all()} == {
        "00012345": ("Consola Alfa", "Consolas"),
        "00012346": ("Control", "Accesorios"),
        "12346": ("Otro producto", "Accesorios"),
    }
    assert [message_text(w) for w in job.warnings] == [
        "SKU 00012345: el archivo dice categoría «Audio», se mantiene «Consolas»."
    ]
    assert dict(job.summary_items) == {
        "rows_read": 4,
        "skus": 3,
        "new_products": 1,
        "names_updated": 1,
        "categories_set": 1,
        "packs_changed": 0,
        "category_warnings": 1,
    }
    assert SalesWeeklyAgg.objects.get().category == "Accesorios"


def test_products_from_xlsx_with_spanish_headers(db, tmp_path):
    from inventory.services import products_import

    path = xlsx_file(
        tmp_path, "p.xlsx", [["SKU", "Descripción", "Categoría"], ["0007", "Uno", "A"], [7.0, "Dos", None]]
    )
    result = products_import(path=path)
    assert result.created == 2
    assert dict(Product.objects.values_list("sku", "name")) == {"0007": "Uno", "7": "Dos"}
    assert Product.objects.get(sku="7").category is None


def test_a_bad_products_file_writes_nothing(db, tmp_path, planner):
    path = csv_file(tmp_path, "p.csv", ["0001,Uno,A", ",Sin SKU,B"], header="sku,product_name,category")
    job = job_start(kind=PRODUCT_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 3, "column": "sku", "value": "", "message": {"code": "files.blank", "params": {}}}]
    assert not Product.objects.exists()


# --- SPEC v2 §5.4a: pack sizes ------------------------------------------------------------


def test_products_file_sets_pack_sizes_in_either_column_name(db, tmp_path):
    from inventory.services import products_import

    path = tmp_path / "p.csv"
    path.write_text("sku,product_name,pack_size\nA,Uno,6\nB,Dos,\n")
    products_import(path=path)
    assert dict(Product.objects.values_list("sku", "pack_size")) == {"A": 6, "B": 1}
    path.write_text("sku,unidades_por_caja\nB,12\n")
    result = products_import(path=path)
    assert dict(Product.objects.values_list("sku", "pack_size")) == {"A": 6, "B": 12}
    assert result.repacked == 1
    path.write_text("sku,product_name\nA,Uno bis\n")  # no column: the pack size stays
    products_import(path=path)
    assert Product.objects.get(sku="A").pack_size == 6


@pytest.mark.parametrize("bad", ["0", "-2", "2.5", "caja"])
def test_a_bad_pack_size_is_a_row_error_and_nothing_is_loaded(db, tmp_path, bad):
    from fastdso.files import FileRejected
    from inventory.services import products_import

    path = tmp_path / "p.csv"
    path.write_text(f"sku,pack_size\nA,6\nB,{bad}\n")
    with pytest.raises(FileRejected) as rejected:
        products_import(path=path)
    errors = [(e.row, e.column, e.value) for e in rejected.value.errors]
    assert errors == [(3, "pack_size", bad)]
    assert not Product.objects.exists()


def test_display_min_is_set_kept_when_blank_and_refused_when_negative(db, tmp_path):
    factories.product("00012345")
    factories.product("00012346")
    Product.objects.filter(sku="00012346").update(display_min=4)
    path = csv_file(
        tmp_path,
        "d.csv",
        ["00012345,2", "00012346,", "00012347,3"],  # set; blank keeps 4; a new product with 3
        header="sku,exhibición_mínima",
    )
    job = job_start(kind=PRODUCT_IMPORT, path=path, sync=True)
    assert job.status == Job.Status.DONE, job.errors
    assert dict(Product.objects.values_list("sku", "display_min")) == {"00012345": 2, "00012346": 4, "00012347": 3}
    assert dict(job.summary_items)["display_min_set"] == 1
    # A file without the column leaves them alone; a negative or fractional value refuses the file.
    job_start(kind=PRODUCT_IMPORT, path=csv_file(tmp_path, "n.csv", ["00012345,Nombre"], header="sku,product_name"))
    assert Product.objects.get(sku="00012345").display_min == 2
    bad = csv_file(tmp_path, "b.csv", ["00012345,-1", "00012346,1.5"], header="sku,display_min")
    job = job_start(kind=PRODUCT_IMPORT, path=bad, sync=True)
    assert job.status == Job.Status.FAILED and [e["row"] for e in job.errors] == [2, 3]
    assert dict(Product.objects.values_list("sku", "display_min")) == {"00012345": 2, "00012346": 4, "00012347": 3}
