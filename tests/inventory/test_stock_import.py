"""Stock imports (SPEC §2): a snapshot per date; current stock = the latest
snapshot (the store's own latest one for stores); absent SKU = 0."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from fastdso.jobs import JobInputError, job_start
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from inventory import queries
from inventory.jobs import CD_STOCK_IMPORT, STORE_STOCK_IMPORT
from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
from inventory.services import cd_stock_import, store_stock_import
from tests import factories
from tests.sales.uploads import csv_file, xlsx_file

D1, D2, D3 = dt.date(2026, 2, 1), dt.date(2026, 2, 8), dt.date(2026, 2, 15)


def cd_units() -> dict[str, int]:
    ids = queries.product_ids(Product.objects.values_list("sku", flat=True))
    frame = queries.cd_stock(list(ids.values()))
    sku_by_id = {v: k for k, v in ids.items()}
    return {sku_by_id[p]: int(u) for p, u in zip(frame["product_id"], frame["units"], strict=True)}


def store_units() -> dict[tuple[str, str], int]:
    ids = queries.product_ids(Product.objects.values_list("sku", flat=True))
    frame = queries.store_stock(list(ids.values()))
    sku_by_id = {v: k for k, v in ids.items()}
    names = dict(Store.objects.values_list("id", "name"))
    return {
        (names[s], sku_by_id[p]): int(u)
        for p, s, u in zip(frame["product_id"], frame["store_id"], frame["units"], strict=True)
    }


def test_cd_stock_latest_snapshot_is_current_and_a_date_reloaded_is_replaced(db, tmp_path):
    header = "sku,quantity"
    cd_stock_import(path=csv_file(tmp_path, "a.csv", ["00012345,40", "00012346,10"], header), snapshot_date=D1)
    cd_stock_import(path=csv_file(tmp_path, "b.csv", ["00012345,30", "00012346,5"], header), snapshot_date=D2)
    assert cd_units() == {"00012345": 30, "00012346": 5}
    # D2 again without 00012346: that SKU now has 0 at the CD (absent from the latest snapshot).
    result = cd_stock_import(path=csv_file(tmp_path, "c.csv", ["00012345,25", "00099999,7"], header), snapshot_date=D2)
    assert cd_units() == {"00012345": 25, "00099999": 7}
    assert (result.replaced, result.new_products, result.units) == (2, 1, 32)
    assert CDStockSnapshot.objects.filter(snapshot_date=D1).count() == 2  # history kept
    assert queries.cd_stock_date() == D2


def test_store_stock_each_store_keeps_its_own_latest_snapshot(db, tmp_path):
    header = "sku,store,quantity"
    store_stock_import(
        path=csv_file(tmp_path, "a.csv", ["0001,Centro,4", "0002,Centro,1", "0001,Norte,9"], header),
        snapshot_date=D1,
    )
    # A later snapshot for Centro only, without 0002: 0002 has 0 at Centro; Norte keeps D1.
    store_stock_import(path=csv_file(tmp_path, "b.csv", ["0001,Centro,3"], header), snapshot_date=D2)
    assert store_units() == {("Centro", "0001"): 3, ("Norte", "0001"): 9}
    assert dict(Store.objects.values_list("name", "stock_date")) == {"Centro": D2, "Norte": D1}
    # An older date needs the planner's backfill (SPEC v3 §5.7), and does not move the current stock back.
    late = csv_file(tmp_path, "c.csv", ["0002,Centro,8"], header)
    with pytest.raises(JobInputError, match="--backfill"):
        store_stock_import(path=late, snapshot_date=dt.date(2026, 1, 1))
    store_stock_import(path=late, snapshot_date=dt.date(2026, 1, 1), backfill=True)
    assert Store.objects.get(name="Centro").stock_date == D2
    assert store_units() == {("Centro", "0001"): 3, ("Norte", "0001"): 9}


def test_store_stock_reloading_a_date_replaces_it_only_for_the_files_stores(db, tmp_path):
    header = "sku,store,quantity"
    store_stock_import(path=csv_file(tmp_path, "a.csv", ["0001,Centro,4", "0001,Norte,9"], header), snapshot_date=D3)
    result = store_stock_import(path=csv_file(tmp_path, "b.csv", ["0002,centro ,2"], header), snapshot_date=D3)
    assert store_units() == {("Centro", "0002"): 2, ("Norte", "0001"): 9}
    assert (result.replaced, result.store_count, result.new_stores) == (1, 1, 0)
    assert StoreStockSnapshot.objects.count() == 2


def test_stock_date_defaults_to_today_and_xlsx_skus_stay_text(db, tmp_path):
    path = xlsx_file(tmp_path, "s.xlsx", [["SKU", "Tienda", "Cantidad"], ["000123", "Centro", 2], [123, "Centro", 1.0]])
    result = store_stock_import(path=path)
    assert result.snapshot_date == timezone.localdate() == Store.objects.get().stock_date
    assert store_units() == {("Centro", "000123"): 2, ("Centro", "123"): 1}


@pytest.mark.parametrize(
    ("kind", "content", "where", "fragment"),
    [
        (CD_STOCK_IMPORT, "sku,quantity\n0001,-3\n", (2, "quantity"), "mayor o igual a 0"),
        (CD_STOCK_IMPORT, "sku,quantity\n0001,2.5\n", (2, "quantity"), "entero"),
        (CD_STOCK_IMPORT, "sku,quantity\n0001,2\n0002,1\n0001,5\n", (4, "sku"), "repetido (también en la fila 2)"),
        (CD_STOCK_IMPORT, "sku,cantidad\n,2\n", (2, "sku"), "vacío"),
        (STORE_STOCK_IMPORT, "sku,store,quantity\n0001,A,x\n", (2, "quantity"), "número"),
        (STORE_STOCK_IMPORT, "sku,store,quantity\n0001,,1\n", (2, "store"), "vacío"),
        (STORE_STOCK_IMPORT, "sku,tienda,cantidad\n0001,A,1\n0001, a ,2\n", (3, "sku"), "repetido"),
        (STORE_STOCK_IMPORT, "sku,quantity\n0001,1\n", (1, "store"), "ausente"),
    ],
)
def test_bad_stock_files_write_nothing(db, tmp_path, planner, kind, content, where, fragment):
    factories.store("Centro")
    path = tmp_path / "stock.csv"
    path.write_text(content)
    job = job_start(kind=kind, user=planner, path=path, params={"date": "2026-02-08"}, sync=True)
    assert job.status == Job.Status.FAILED
    assert (job.errors[0]["row"], job.errors[0]["column"]) == where
    assert fragment in message_text(job.errors[0]["message"])
    assert not CDStockSnapshot.objects.exists() and not StoreStockSnapshot.objects.exists()
    assert not Product.objects.exists()
    assert list(Store.objects.values_list("name", flat=True)) == ["Centro"]


def test_stock_jobs_record_summary_and_audit(db, tmp_path, planner):
    job = job_start(
        kind=STORE_STOCK_IMPORT,
        user=planner,
        path=csv_file(tmp_path, "s.csv", ["0001,Centro,4", "0001,Norte,0"], "sku,store,quantity"),
        params={"date": "2026-02-08"},
        sync=True,
    )
    assert job.status == Job.Status.DONE
    assert dict(job.summary_items)["snapshot_date"] == "2026-02-08"
    assert (
        dict(job.summary_items)["stores"],
        dict(job.summary_items)["units"],
        dict(job.summary_items)["new_stores"],
    ) == (2, 4, 2)
    event = AuditEvent.objects.get(action="upload")
    assert event.details["kind"] == "store_stock" and event.details["rows"] == 2
    assert event.user == planner


# --- SPEC v2 §9: a CD file is the whole CD, unless --partial ---------------------------


def _cd_files(tmp_path):
    full = csv_file(tmp_path, "cd.csv", ["A,10", "B,20", "C,30"], header="sku,quantity")
    one = csv_file(tmp_path, "cd-one.csv", ["B,5"], header="sku,quantity")
    return full, one


def test_a_cd_file_without_partial_sets_absent_skus_to_zero(db, tmp_path):
    from django.core.management import call_command

    full, one = _cd_files(tmp_path)
    call_command("import_cd_stock", str(full), "--date", "2026-02-01", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_cd_stock", str(one), "--date", "2026-02-08", stdout=out)
    assert cd_units() == {"B": 5}  # A and C are not in the CD any more
    assert "los SKUs ausentes del archivo quedan en 0" in out.getvalue()


def test_a_cd_file_with_partial_keeps_the_other_skus(db, tmp_path):
    from django.core.management import call_command

    full, one = _cd_files(tmp_path)
    call_command("import_cd_stock", str(full), "--date", "2026-02-01", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_cd_stock", str(one), "--date", "2026-02-08", "--partial", stdout=out)
    assert cd_units() == {"A": 10, "B": 5, "C": 30}
    assert queries.cd_stock_date() == D2
    assert "SKUs que mantienen su cantidad: 2" in out.getvalue()
    # Partial again on the same date: the date's other SKUs are kept too.
    call_command("import_cd_stock", str(csv_file(tmp_path, "c.csv", ["C,1"], header="sku,quantity")),
                 "--date", "2026-02-08", "--partial", stdout=io.StringIO())  # fmt: skip
    assert cd_units() == {"A": 10, "B": 5, "C": 1}


def test_the_cd_upload_page_says_what_a_file_means_and_offers_partial(planner_client, tmp_path):
    from django.urls import reverse

    html = planner_client.get(reverse("inventory:cd_stock_upload")).content.decode()
    assert "solo actualiza los SKUs del archivo" in html and 'name="partial"' in html
    assert "quedan en 0" in html
    full, one = _cd_files(tmp_path)
    with full.open("rb") as handle:
        planner_client.post(reverse("inventory:cd_stock_upload"), {"file": handle, "snapshot_date": "2026-02-01"})
    with one.open("rb") as handle:
        planner_client.post(
            reverse("inventory:cd_stock_upload"), {"file": handle, "snapshot_date": "2026-02-08", "partial": "on"}
        )
    job = Job.objects.filter(kind=CD_STOCK_IMPORT).order_by("-pk").first()
    assert job.params["partial"] is True and job.status == Job.Status.DONE
    assert cd_units() == {"A": 10, "B": 5, "C": 30}
