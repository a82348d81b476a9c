"""Write a `benchmarks.scenario` scenario into the database Django points at.

    from benchmarks.scenario import generate
    from benchmarks.scenario_load import scenario_load
    ids = scenario_load(generate("small"), workdir=tmp_path)

Only the loaded weeks go in; the held-out truth stays in the Scenario.
Through the project's own bulk paths: products by `products_upsert`, the
weekly rows (seven day columns, units, category) by `fastdso.db.rows_insert`
(COPY on PostgreSQL) with the indexes built once after the load when the
table is empty, the coverage rows and a SalesLoad as the macro import leaves
them (so the as-of week is the scenario's), the cold start's category
summary filled, the store and CD stock through their import services (CSV
files in `workdir`), promotions in bulk. Stores carry the v3 fields
(opened_on, like_store, size_factor, lead_time_days, active). Expects an
empty database (`benchmarks.run.reset_tables`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection, transaction
from pyarrow import csv as pa_csv

from benchmarks.scenario import Scenario, daily_split
from fastdso.db import analyze_after_load, chunks, indexes_rebuilt_after, rows_insert, table_is_empty
from inventory.models import Product, Store, store_name_key
from inventory.services import cd_stock_import, products_upsert, store_stock_import
from sales.engine import DAY_FIELDS
from sales.macro_import import coverage_extend
from sales.models import Promotion, SalesLoad, SalesWeeklyAgg
from sales.summary import bulk_write, summary_fill

WEEKLY = SalesWeeklyAgg._meta.db_table
WEEKLY_TYPES = {
    "product_id": "bigint",
    "store_id": "bigint",
    "week_start": "date",
    **dict.fromkeys(DAY_FIELDS, "integer"),
    "units": "integer",
    "category": "text",
}
CHUNK = 1_000_000


@dataclass
class LoadedIds:
    product: dict[str, int]
    store: dict[str, int]
    weekly_rows: int


def scenario_load(scenario: Scenario, *, workdir: str | Path | None = None) -> LoadedIds:
    """Load the scenario's master data, loaded weeks of sales, stock and promotions."""
    work = Path(workdir or tempfile.mkdtemp(prefix="fastdso-scenario-"))
    work.mkdir(parents=True, exist_ok=True)
    store_ids = stores_load(scenario.stores)
    product_ids = products_load(scenario.products)
    rows = weekly_load(scenario, product_ids, store_ids)
    stock_load(scenario, work)
    promotions_load(scenario.promotions, product_ids, store_ids)
    return LoadedIds(product=product_ids, store=store_ids, weekly_rows=rows)


def stores_load(stores: pd.DataFrame) -> dict[str, int]:
    """Stores with the v3 fields; like stores set once every store has an id."""
    with transaction.atomic():
        Store.objects.bulk_create(
            [
                Store(
                    name=row.store,
                    name_key=store_name_key(row.store),
                    code=row.code,
                    opened_on=row.opened_on,
                    size_factor=float(row.size_factor),
                    lead_time_days=int(row.lead_time_days),
                    active=bool(row.active),
                )
                for row in stores.itertuples(index=False)
            ]
        )
        ids = dict(Store.objects.filter(name__in=stores["store"].tolist()).values_list("name", "id"))
        likes = [
            Store(pk=ids[row.store], like_store_id=ids[row.like_store])
            for row in stores.itertuples(index=False)
            if isinstance(row.like_store, str)
        ]
        Store.objects.bulk_update(likes, ["like_store"])
    return ids


def products_load(products: pd.DataFrame) -> dict[str, int]:
    """Products (name, category, pack size) by the catalogue's upsert; display minimums in bulk."""
    with transaction.atomic():
        result = products_upsert(products[["sku", "product_name", "category", "pack_size"]], claim_demo=False)
        shown = products[products["display_min"] > 0]
        for value, group in shown.groupby("display_min"):
            Product.objects.filter(sku__in=group["sku"].tolist()).update(display_min=int(value))
    return result.id_by_sku


def weekly_frame(scenario: Scenario, product_ids: dict[str, int], store_ids: dict[str, int]) -> pd.DataFrame:
    """SalesWeeklyAgg rows of the loaded weeks: ids, week_start, the seven days, units, category."""
    sales = scenario.sales_frame()
    category = scenario.products.set_index("sku")["category"]
    frame = pd.DataFrame(
        {
            "product_id": sales["sku"].map(product_ids).to_numpy(np.int64),
            "store_id": sales["store"].map(store_ids).to_numpy(np.int64),
            "week_start": sales["week_start"].to_numpy(),
        }
    )
    rng = np.random.default_rng(scenario.seed + 1)
    units = sales["units"].to_numpy(np.int64)
    days = np.concatenate([daily_split(part, rng) for part in chunks(units, CHUNK)] or [])
    for index, name in enumerate(DAY_FIELDS):
        frame[name] = days[:, index] if len(units) else np.zeros(0, np.int32)
    frame["units"] = units.astype(np.int32)
    frame["category"] = sales["sku"].map(category).to_numpy(object)
    return frame


def weekly_load(scenario: Scenario, product_ids: dict[str, int], store_ids: dict[str, int]) -> int:
    """The weekly rows, the coverage the as-of rule reads, a SalesLoad, the category summary."""
    frame = weekly_frame(scenario, product_ids, store_ids)
    last = scenario.snapshot_date
    with transaction.atomic():
        with bulk_write(len(frame)):
            if table_is_empty(WEEKLY):
                with indexes_rebuilt_after(WEEKLY):
                    rows_insert(WEEKLY, frame, types=WEEKLY_TYPES)
            else:
                rows_insert(WEEKLY, frame, types=WEEKLY_TYPES)
        selling = sorted(set(frame["store_id"].tolist()))
        coverage_extend(store_ids=selling, last_date=last)
        SalesLoad.objects.create(
            file_name=f"scenario-{scenario.size}-{scenario.seed}",
            first_date=scenario.weeks[0],
            last_date=last,
            rows_written=len(frame),
            sku_count=int(frame["product_id"].nunique()),
            store_count=len(selling),
            week_count=len(scenario.loaded_weeks),
        )
        summary_fill(scenario.as_of_week)
    analyze_after_load(WEEKLY, rows=len(frame))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(frame)


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def stock_load(scenario: Scenario, work: Path) -> None:
    """Store and CD stock at the snapshot date, through their import services."""
    day = scenario.snapshot_date
    store_stock = scenario.store_stock[["sku", "store", "quantity"]]
    if not store_stock.empty:
        store_stock_import(path=_csv(store_stock, work / "store_stock.csv"), snapshot_date=day)
    cd_stock_import(path=_csv(scenario.cd_stock[["sku", "quantity"]], work / "cd_stock.csv"), snapshot_date=day)


def promotions_load(promotions: pd.DataFrame, product_ids: dict[str, int], store_ids: dict[str, int]) -> int:
    rows = [
        Promotion(
            product_id=product_ids[row.sku],
            store_id=store_ids[row.store] if isinstance(row.store, str) else None,
            start_date=row.start_date,
            end_date=row.end_date,
            name=row.name,
        )
        for row in promotions.itertuples(index=False)
    ]
    Promotion.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
