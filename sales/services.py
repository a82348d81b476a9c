"""Sales writes, one module a job (the web upload job, the command and the
API share them); this module names their entry points for the rest of the code:

- `sales.sales_file`: a sales file read, validated and summed in numpy;
- `sales.macro_import` + `sales.weekly_writer`: the macro import and its
  weekly merge-writer (SPEC §4.1–§4.3);
- `sales.legacy_import`: the legacy subset sales import (SPEC §4.5);
- `sales.category_sync`: product categories copied onto the macro rows;
- `sales.promotions_import`: the promotions calendar (SPEC v3 §4.6).
"""

from __future__ import annotations

from sales.category_sync import sales_category_sync
from sales.legacy_import import LegacyImportResult, legacy_sales_import
from sales.macro_import import MacroImportResult, coverage_extend, macro_sales_import
from sales.promotions_import import PromotionImportResult, promotions_import
from sales.sales_file import SalesFile, sales_file_read
from sales.weekly_writer import stored_rows_sql

__all__ = [
    "LegacyImportResult",
    "MacroImportResult",
    "PromotionImportResult",
    "SalesFile",
    "coverage_extend",
    "legacy_sales_import",
    "macro_sales_import",
    "promotions_import",
    "sales_category_sync",
    "sales_file_read",
    "stored_rows_sql",
]
