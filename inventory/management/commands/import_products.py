"""python manage.py import_products FILE"""

from __future__ import annotations

from fastdso.commands import ImportCommand
from inventory.jobs import PRODUCT_IMPORT


class Command(ImportCommand):
    help = "Carga productos (sku, product_name, category) desde un CSV o XLSX."
    job_kind = PRODUCT_IMPORT
