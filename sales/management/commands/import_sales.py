"""python manage.py import_sales FILE   (legacy subset sales upload)"""

from __future__ import annotations

from fastdso.commands import ImportCommand
from sales.jobs import LEGACY_SALES_IMPORT


class Command(ImportCommand):
    help = "Carga ventas subset (legado) a DistributionRecord. Para visibilidad macro use import_macro_sales."
    job_kind = LEGACY_SALES_IMPORT
