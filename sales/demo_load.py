"""Loads generated demo data through the real import pipelines: the frames
are written as CSV files and read back by the same services as the uploads
and the import commands (products, macro sales, CD stock, store stock)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
from django.db import transaction
from pyarrow import csv as pa_csv

from fastdso.demo import DemoData
from inventory.services import cd_stock_import, products_import, store_stock_import
from sales.models import SalesLoad
from sales.services import macro_sales_import


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV with every column as text (SKUs keep their leading zeros)."""
    table = pa.table({column: pa.array(frame[column].astype(str).tolist(), pa.string()) for column in frame.columns})
    pa_csv.write_csv(table, path)
    return path


@transaction.atomic
def demo_load(data: DemoData) -> str:
    with tempfile.TemporaryDirectory(prefix="fastdso-demo-") as folder:
        base = Path(folder)
        products = products_import(
            path=_write_csv(data.products[["sku", "product_name", "category"]], base / "productos.csv"),
            file_name="demo productos",
        )
        sales = data.sales[["sku", "store", "date", "quantity"]].copy()
        sales["date"] = pd.to_datetime(sales["date"]).dt.strftime("%Y-%m-%d")
        macro = macro_sales_import(
            path=_write_csv(sales, base / "ventas.csv"),
            mode=SalesLoad.Mode.REPLACE_RANGE,
            file_name="demo ventas",
        )
        cd = cd_stock_import(
            path=_write_csv(data.cd_stock[["sku", "quantity"]], base / "stock_cd.csv"),
            snapshot_date=data.stock_date,
            file_name="demo stock CD",
        )
        stores = store_stock_import(
            path=_write_csv(data.store_stock[["sku", "store", "quantity"]], base / "stock_tiendas.csv"),
            snapshot_date=data.stock_date,
            file_name="demo stock tiendas",
        )
    return (
        f"{macro.store_count} tiendas, {products.sku_count} SKUs, {macro.rows_read} filas diarias, "
        f"{macro.weekly_rows} semanales, stock CD de {cd.sku_count} SKUs, "
        f"stock de tiendas {stores.rows_read} filas ({data.stock_date:%Y-%m-%d})"
    )
