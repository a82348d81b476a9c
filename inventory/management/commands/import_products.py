"""python manage.py import_products FILE"""

from __future__ import annotations

from inventory.jobs import PRODUCT_IMPORT
from inventory.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Carga productos (sku, product_name, category) desde un CSV o XLSX."
    job_kind = PRODUCT_IMPORT
