"""python manage.py prune_stock --before DATE | --keep-days N

Retention of the stock snapshots (issue 31): removes the store and CD
snapshots dated before DATE (or older than N days before today), never a
store's latest date nor the CD's latest date: the current stock stays.
Audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inventory.retention import stock_prune

MAX_KEEP_DAYS = 3660


class Command(BaseCommand):
    help = "Borra las fotos de stock anteriores a una fecha; nunca la última de cada tienda ni la del CD."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--before",
            type=dt.date.fromisoformat,
            help="Fecha AAAA-MM-DD: se borran las fotos de fechas anteriores.",
        )
        group.add_argument("--keep-days", type=int, help="Días de fotos que se conservan hasta hoy.")

    def handle(self, *args: Any, **options: Any) -> None:
        before = options["before"]
        if options["keep_days"] is not None:
            if not 1 <= options["keep_days"] <= MAX_KEEP_DAYS:
                raise CommandError(f"--keep-days debe estar entre 1 y {MAX_KEEP_DAYS}.")
            before = timezone.localdate() - dt.timedelta(days=options["keep_days"] - 1)
        result = stock_prune(before)
        self.stdout.write(
            f"Fotos de stock anteriores a {result.cut.isoformat()}: {result.store_rows} filas de tiendas y "
            f"{result.cd_rows} del CD borradas (la última foto de cada tienda y la del CD se conservan)."
        )
