"""Deterministic reference retailer for the benchmark (SPEC §11).

150 stores, 20,000 SKUs (8-digit text with leading zeros) in 25 categories,
a 91-day daily macro CSV of about 5,000,000 rows, CD and store stock, and a
two-year weekly history for the table-size test. Pure generation with numpy,
written with pyarrow's CSV writer (fast, constant memory per chunk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from pyarrow import csv as pa_csv

from fastdso.demo import CATEGORIES, store_names

REFERENCE = {"stores": 150, "skus": 20_000, "categories": 25, "days": 91, "daily_rows": 5_000_000}
UNQUOTED = pa_csv.WriteOptions(quoting_style="none")
SMALL = {"stores": 12, "skus": 400, "categories": 6, "days": 28, "daily_rows": 20_000}


@dataclass(frozen=True)
class Retailer:
    stores: list[str]
    skus: np.ndarray  # str
    categories: np.ndarray  # category per SKU
    end: dt.date  # last day of the daily file (a Sunday)
    days: int


def retailer(size: dict[str, int], end: dt.date = dt.date(2026, 6, 28)) -> Retailer:
    rng = np.random.default_rng(11)
    skus = np.array([f"{i * 3 + 1:08d}" for i in range(size["skus"])])
    cats = np.array(CATEGORIES[: size["categories"]])
    return Retailer(
        store_names(size["stores"]), skus, cats[rng.integers(0, len(cats), size["skus"])], end, size["days"]
    )


def write_products(r: Retailer, path: Path) -> None:
    table = pa.table({"sku": r.skus, "product_name": [f"Producto {s}" for s in r.skus], "category": r.categories})
    pa_csv.write_csv(table, path, write_options=UNQUOTED)


def write_daily_sales(r: Retailer, rows: int, path: Path, *, chunk_days: int = 7) -> int:
    """About `rows` daily (sku, store, date, quantity) rows: each day draws the
    same number of distinct (sku, store) pairs, skewed to popular SKUs and big
    stores, so weekly aggregation merges some of them (as real data does)."""
    rng = np.random.default_rng(23)
    n_sku, n_store = len(r.skus), len(r.stores)
    sku_p = rng.lognormal(0, 1.2, n_sku)
    sku_p /= sku_p.sum()
    store_p = rng.lognormal(0, 0.4, n_store)
    store_p /= store_p.sum()
    per_day = rows // r.days
    first = r.end - dt.timedelta(days=r.days - 1)
    stores = np.array(r.stores)
    written = 0
    schema = pa.schema([("sku", pa.string()), ("store", pa.string()), ("date", pa.string()), ("quantity", pa.int32())])
    with pa_csv.CSVWriter(path, schema, write_options=UNQUOTED) as writer:
        for day_index in range(r.days):
            day = (first + dt.timedelta(days=day_index)).isoformat()
            # Draw pairs, keep distinct ones (a file has one row per sku-store-date).
            sku_idx = rng.choice(n_sku, size=int(per_day * 1.15), p=sku_p)
            store_idx = rng.choice(n_store, size=len(sku_idx), p=store_p)
            pair = np.unique(sku_idx.astype(np.int64) * n_store + store_idx)[:per_day]
            qty = rng.geometric(0.55, size=len(pair)).astype(np.int32)
            qty[rng.random(len(pair)) < 0.002] = -1  # returns
            writer.write_table(
                pa.table(
                    {
                        "sku": r.skus[pair // n_store],
                        "store": stores[pair % n_store],
                        "date": np.full(len(pair), day),
                        "quantity": qty,
                    }
                )
            )
            written += len(pair)
    return written


def write_cd_stock(r: Retailer, path: Path) -> None:
    rng = np.random.default_rng(5)
    pa_csv.write_csv(
        pa.table({"sku": r.skus, "quantity": rng.integers(0, 400, len(r.skus)).astype(np.int32)}),
        path,
        write_options=UNQUOTED,
    )


def write_store_stock(r: Retailer, path: Path, density: float = 0.3) -> int:
    rng = np.random.default_rng(6)
    n_sku, n_store = len(r.skus), len(r.stores)
    mask = rng.random((n_sku, n_store)) < density
    sku_idx, store_idx = np.nonzero(mask)
    qty = rng.integers(0, 25, len(sku_idx)).astype(np.int32)
    pa_csv.write_csv(
        pa.table({"sku": r.skus[sku_idx], "store": np.array(r.stores)[store_idx], "quantity": qty}),
        path,
        write_options=UNQUOTED,
    )
    return len(sku_idx)
