"""The Store Health cache rule (health/queries.py): every write path changes the
data version, else the dashboard would show a stale cached result. A new write
path belongs in WRITES below; one that leaves the version as it was fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from distribution.models import DistributionRun
from fastdso.audit import audit_record
from health.engine import HealthParams
from health.queries import health_data_version
from inventory.models import Store


def _files(folder: Path) -> dict[str, str]:
    macro = ["sku,store,date,quantity,product_name,category"]
    for day in ("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"):
        macro += [
            f"00012345,Tienda Centro 001,{day},3,Consola Alfa,Consolas",
            f"00012345,Tienda Norte 002,{day},1,Consola Alfa,Consolas",
        ]
    contents = {
        "products": "sku,product_name,category\n00012345,Consola Alfa,Consolas\n00012346,Control Beta,Accesorios\n",
        "macro": "\n".join(macro) + "\n",
        "cd": "sku,quantity\n00012345,40\n00012346,10\n",
        "stores": "sku,store,quantity\n00012345,Tienda Centro 001,1\n00012345,Tienda Norte 002,9\n",
        "request": "sku,product_name,category\n00012345,,\n",
        "skus": "sku\n00012345\n",
        "promotions": "sku,store,start_date,end_date,name\n00012345,,2026-01-12,2026-01-18,Enero\n",
        "store_file": "store,code,size_factor,active\nTienda Centro 001,C001,1.2,sí\nTienda Sur 003,,0.8,no\n",
    }
    paths = {}
    for name, text in contents.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    return paths


def _admin_edit() -> None:
    """An edit in the Django admin (a store renamed): recorded as an admin audit event."""
    store = Store.objects.order_by("id").first()
    Store.objects.filter(pk=store.pk).update(name="Tienda Centro renombrada")
    audit_record(user=None, action="admin_change", obj=store)


# (label, the write) in an order where each one has the data it needs.
WRITES = [
    ("product upload", lambda f: call_command("import_products", f["products"])),
    ("macro sales upload", lambda f: call_command("import_macro_sales", f["macro"])),
    ("CD stock upload", lambda f: call_command("import_cd_stock", f["cd"], "--date", "2026-02-08")),
    ("store stock upload", lambda f: call_command("import_store_stock", f["stores"], "--date", "2026-02-08")),
    ("legacy sales upload", lambda f: call_command("import_sales", f["macro"])),
    ("promotions upload", lambda f: call_command("import_promotions", f["promotions"])),
    ("stores file upload", lambda f: call_command("import_stores", f["store_file"])),
    ("distribution run", lambda f: call_command("generate_distribution", f["request"])),
    ("purchase forecast", lambda f: call_command("forecast_purchase", "--skus", f["skus"])),
    (
        "redistribution plan",
        lambda f: call_command("redistribute", "--mode", "auto", "--skus", f["skus"], "--destination", "all"),
    ),
    ("admin edit", lambda f: _admin_edit()),
]


@pytest.mark.django_db(transaction=True)
def test_every_write_path_changes_the_health_data_version(tmp_path, capsys):
    files = _files(tmp_path)
    params = HealthParams()
    unchanged = []
    version = health_data_version(params)
    for label, write in WRITES:
        write(files)
        new = health_data_version(params)
        if new == version:
            unchanged.append(label)
        version = new
    capsys.readouterr()
    assert DistributionRun.objects.count() == 1  # the writes really ran
    assert unchanged == []


def test_a_read_leaves_the_data_version_as_it_is(db):
    params = HealthParams()
    assert health_data_version(params) == health_data_version(params)
    assert health_data_version(params) != health_data_version(HealthParams(last_runs=2))
