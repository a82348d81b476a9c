"""seed_demo loads its data through the import pipelines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.core.management import call_command

from fastdso.demo import DemoData
from fastdso.models import AuditEvent
from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
from sales.demo_load import demo_load
from sales.models import SalesLoad
from tests.sales.uploads import weekly_table


def test_demo_data_goes_through_the_uploads(db):
    data = DemoData(
        products=pd.DataFrame({"sku": ["00010000", "00010007"], "product_name": ["A", "B"], "category": ["X", "Y"]}),
        stores=["Tienda Centro 001", "Tienda Norte 002"],
        sales=pd.DataFrame(
            {
                "sku": ["00010000", "00010000", "00010007"],
                "store": ["Tienda Centro 001", "Tienda Centro 001", "Tienda Norte 002"],
                "date": [dt.date(2026, 1, 5), dt.date(2026, 1, 11), dt.date(2026, 1, 7)],
                "quantity": [2, -1, 4],
            }
        ),
        cd_stock=pd.DataFrame({"sku": ["00010000"], "quantity": [30]}),
        store_stock=pd.DataFrame({"sku": ["00010007"], "store": ["Tienda Norte 002"], "quantity": [3]}),
        stock_date=dt.date(2026, 1, 11),
    )
    summary = demo_load(data)
    assert "2 tiendas" in summary
    assert weekly_table() == {
        ("00010000", "Tienda Centro 001", dt.date(2026, 1, 5)): (1, (2, 0, 0, 0, 0, 0, -1)),
        ("00010007", "Tienda Norte 002", dt.date(2026, 1, 5)): (4, (0, 0, 4, 0, 0, 0, 0)),
    }
    assert dict(Product.objects.values_list("sku", "category")) == {"00010000": "X", "00010007": "Y"}
    assert SalesLoad.objects.get().last_date == dt.date(2026, 1, 11)
    assert CDStockSnapshot.objects.get().units == 30
    assert StoreStockSnapshot.objects.get().units == 3
    assert Store.objects.get(name="Tienda Norte 002").stock_date == dt.date(2026, 1, 11)
    assert sorted(e.details["kind"] for e in AuditEvent.objects.filter(action="upload")) == [
        "cd_stock",
        "macro_sales",
        "products",
        "store_stock",
    ]


def test_seed_demo_small_runs(db):
    call_command("seed_demo", "--size", "small", "--no-users")
    assert Product.objects.count() == 400 and Store.objects.count() == 20
    assert SalesLoad.objects.count() == 1
