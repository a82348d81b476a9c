"""Small helpers of the import tests: files written to disk, tables read back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

from inventory.models import Product, Store
from sales.models import DAY_FIELDS, SalesWeeklyAgg

HEADER = "sku,store,date,quantity"


def csv_file(tmp_path: Path, name: str, lines: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def xlsx_file(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def daily(sku: str, store: str, first: dt.date, quantities: list[int]) -> list[str]:
    """CSV lines of one SKU at one store, one per day from `first` (0s left out)."""
    return [f"{sku},{store},{first + dt.timedelta(days=i):%Y-%m-%d},{q}" for i, q in enumerate(quantities) if q != 0]


def weekly_table() -> dict[tuple[str, str, dt.date], tuple[int, tuple[int, ...]]]:
    """Every SalesWeeklyAgg row as {(sku, store, week_start): (units, (mon..sun))}."""
    rows = SalesWeeklyAgg.objects.select_related("product", "store").order_by("id")
    return {
        (r.product.sku, r.store.name, r.week_start): (r.units, tuple(getattr(r, d) for d in DAY_FIELDS)) for r in rows
    }


def nothing_written() -> bool:
    return not (Product.objects.exists() or Store.objects.exists() or SalesWeeklyAgg.objects.exists())
