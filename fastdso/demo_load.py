"""Writes generated demo data. Goes through the import services once they exist."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import transaction

from fastdso.demo import DemoData
from inventory.models import CDStockSnapshot, Store, StoreStockSnapshot
from inventory.services import products_upsert, stores_resolve
from sales.models import DAY_FIELDS, SalesLoad, SalesWeeklyAgg


@transaction.atomic
def demo_load(data: DemoData) -> str:
    products = products_upsert(data.products)
    stores = stores_resolve(data.stores)
    sales = data.sales.copy()
    sales["date"] = pd.to_datetime(sales["date"])
    sales["week_start"] = (sales["date"] - pd.to_timedelta(sales["date"].dt.weekday, unit="D")).dt.date
    sales["day"] = sales["date"].dt.weekday
    daily = sales.pivot_table(
        index=["sku", "store", "week_start"], columns="day", values="quantity", aggfunc="sum", fill_value=0
    )
    daily = daily.reindex(columns=range(7), fill_value=0).reset_index()
    category = data.products.set_index("sku")["category"]
    rows = [
        SalesWeeklyAgg(
            product_id=products.id_by_sku[r.sku],
            store_id=stores.id_by_label[r.store],
            week_start=r.week_start,
            units=int(sum(getattr(r, f"_{d + 4}") for d in range(7))),
            category=category.get(r.sku),
            **{DAY_FIELDS[d]: int(getattr(r, f"_{d + 4}")) for d in range(7)},
        )
        for r in daily.itertuples()
    ]
    SalesWeeklyAgg.objects.bulk_create(rows, batch_size=5000)
    SalesLoad.objects.create(
        file_name="demo",
        first_date=sales["date"].min().date(),
        last_date=sales["date"].max().date(),
        rows_read=len(sales),
        rows_written=len(rows),
        sku_count=sales["sku"].nunique(),
        store_count=sales["store"].nunique(),
        week_count=daily["week_start"].nunique(),
    )
    stock_date: dt.date = data.stock_date
    CDStockSnapshot.objects.bulk_create(
        [
            CDStockSnapshot(product_id=products.id_by_sku[r.sku], units=int(r.quantity), snapshot_date=stock_date)
            for r in data.cd_stock.itertuples()
        ],
        batch_size=5000,
    )
    StoreStockSnapshot.objects.bulk_create(
        [
            StoreStockSnapshot(
                store_id=stores.id_by_label[r.store],
                product_id=products.id_by_sku[r.sku],
                units=int(r.quantity),
                snapshot_date=stock_date,
            )
            for r in data.store_stock.itertuples()
        ],
        batch_size=5000,
    )
    Store.objects.filter(id__in=list(stores.id_by_label.values())).update(stock_date=stock_date)
    return f"{len(data.stores)} tiendas, {len(data.products)} SKUs, {len(sales)} filas diarias, {len(rows)} semanales"
