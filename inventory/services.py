"""Inventory's writes, by job (issue 30: one room per job, like sales):

- `inventory.masters`: products and stores upserted in bulk, store resolution;
- `inventory.stores_file`: the stores file (SPEC v3 §4.7);
- `inventory.file_imports`: the products, CD stock and store stock files;
- `inventory.reservations`: stock commitments of approved runs and plans (§5.7);
- `inventory.movements`: shipments and receipts (v3 §5.7).

This module keeps the names the other apps import; new code may import from
the module that owns the job."""

from __future__ import annotations

from inventory.file_imports import (
    CD_SNAPSHOT_TYPES,
    CD_STOCK_COLUMNS,
    DISPLAY_MIN_COLUMN,
    PACK_SIZE_COLUMN,
    PRODUCT_COLUMNS,
    STORE_STOCK_COLUMNS,
    ProductImportResult,
    StockImportResult,
    cd_stock_import,
    products_import,
    stock_date_check,
    store_stock_import,
)
from inventory.masters import (
    BATCH,
    ProductUpsertResult,
    Progress,
    StoreResolveResult,
    categories_canonical,
    product_save,
    products_upsert,
    stores_resolve,
)
from inventory.movements import (
    BACKFILL_NEEDED,
    LINE_KEYS,
    MOVEMENT_TYPES,
    RECEIPT_COLUMNS,
    SHIPMENT_COLUMNS,
    MovementImportResult,
    movements_import,
    stock_commitments_export,
    stock_ship_rest,
)
from inventory.reservations import (
    COMMITMENT_TYPES,
    SHORTFALLS_LISTED,
    commitments_lock,
    stock_commitments_open,
    stock_commitments_release,
    stock_commitments_rewrite,
    store_stock_dates_refresh,
)
from inventory.stores_file import (
    FALSE_WORDS,
    LEAD_TIME_MAX_DAYS,
    OPENED_ON_FIRST,
    SIZE_FACTOR_MAX,
    STORE_DEFAULTS,
    STORE_FILE_ALIASES,
    STORE_FILE_COLUMNS,
    STORE_FILE_FIELDS,
    TRUE_WORDS,
    StoreFileResult,
    stores_import,
)

__all__ = [
    "BACKFILL_NEEDED",
    "BATCH",
    "CD_SNAPSHOT_TYPES",
    "CD_STOCK_COLUMNS",
    "COMMITMENT_TYPES",
    "DISPLAY_MIN_COLUMN",
    "FALSE_WORDS",
    "LEAD_TIME_MAX_DAYS",
    "LINE_KEYS",
    "MOVEMENT_TYPES",
    "MovementImportResult",
    "OPENED_ON_FIRST",
    "PACK_SIZE_COLUMN",
    "PRODUCT_COLUMNS",
    "ProductImportResult",
    "ProductUpsertResult",
    "Progress",
    "RECEIPT_COLUMNS",
    "SHIPMENT_COLUMNS",
    "SHORTFALLS_LISTED",
    "SIZE_FACTOR_MAX",
    "STORE_DEFAULTS",
    "STORE_FILE_ALIASES",
    "STORE_FILE_COLUMNS",
    "STORE_FILE_FIELDS",
    "STORE_STOCK_COLUMNS",
    "StockImportResult",
    "StoreFileResult",
    "StoreResolveResult",
    "TRUE_WORDS",
    "categories_canonical",
    "cd_stock_import",
    "commitments_lock",
    "movements_import",
    "product_save",
    "products_import",
    "products_upsert",
    "stock_commitments_export",
    "stock_commitments_open",
    "stock_commitments_release",
    "stock_commitments_rewrite",
    "stock_date_check",
    "stock_ship_rest",
    "store_stock_dates_refresh",
    "store_stock_import",
    "stores_import",
    "stores_resolve",
]
