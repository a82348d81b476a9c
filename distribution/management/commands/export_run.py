"""python manage.py export_run RUN_ID --output FILE (CSV or XLSX by extension)
[--headers labels|codes] [--lang es|en] [--csv-dialect excel-es|standard] [--order]

The same file as the run page's export button (distribution.exports): header
labels in Spanish by default (`--headers codes` for the column codes), model
and reason as labels with their codes beside them, a parameters sheet in
XLSX; the CSV in the Spanish-Excel dialect for Spanish (`;`, decimal comma)
unless `--csv-dialect standard`. `--order` writes only the order (lines with
allocated units), the file kept when the run is marked exported."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from distribution.exports import run_export_bytes
from distribution.models import DistributionRun
from fastdso.audit import audit_record
from fastdso.commands import output_path_check
from fastdso.exports import CSV_DIALECTS, HEADERS, ExportOptions


class Command(BaseCommand):
    help = "Exporta las líneas y excepciones de un run de distribución a CSV o XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", metavar="RUN_ID")
        parser.add_argument("--output", required=True, metavar="FILE")
        parser.add_argument("--headers", choices=HEADERS, default="labels", help="Fila de títulos: labels o codes.")
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES], default=None)
        parser.add_argument("--csv-dialect", choices=CSV_DIALECTS, default=None, dest="csv_dialect")
        parser.add_argument("--order", action="store_true", help="Solo el pedido (líneas con unidades asignadas).")

    def handle(self, *args: object, **options: object) -> None:
        output = str(options["output"])
        output_path_check(output)
        run_id = str(options["run_id"]).strip()
        run = DistributionRun.objects.filter(run_id=run_id).first()
        if run is None:
            raise CommandError(f"No existe el run «{run_id}».")
        export_options = ExportOptions(
            headers=str(options["headers"]),
            language=str(options["lang"] or settings.LANGUAGE_CODE),
            dialect=str(options["csv_dialect"]) if options["csv_dialect"] else None,
        )
        fmt = "xlsx" if output.lower().endswith(".xlsx") else "csv"
        body, rows = run_export_bytes(run, fmt, options=export_options, order_only=bool(options["order"]))
        Path(output).write_bytes(body)
        audit_record(user=None, action="export", obj=run, details={"file": Path(output).name, "rows": rows})
        written = "1 fila escrita" if rows == 1 else f"{rows} filas escritas"
        self.stdout.write(self.style.SUCCESS(f"Run {run.run_id}: {written} en {output}"))
