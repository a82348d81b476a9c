"""python manage.py export_run RUN_ID --output FILE (CSV or XLSX by extension)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from distribution.models import DistributionRun
from distribution.queries import run_export_frame, run_export_info
from fastdso.audit import audit_record
from fastdso.commands import output_path_check
from fastdso.exports import write_export


class Command(BaseCommand):
    help = "Exporta las líneas y excepciones de un run de distribución a CSV o XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", metavar="RUN_ID")
        parser.add_argument("--output", required=True, metavar="FILE")

    def handle(self, *args: object, **options: object) -> None:
        output = str(options["output"])
        output_path_check(output)
        run_id = str(options["run_id"]).strip()
        run = DistributionRun.objects.filter(run_id=run_id).first()
        if run is None:
            raise CommandError(f"No existe el run «{run_id}».")
        frame = run_export_frame(run)
        write_export(frame, output, text_columns=("run_id", "sku", "store"), info=run_export_info(run))
        audit_record(user=None, action="export", obj=run, details={"file": Path(output).name, "rows": len(frame)})
        self.stdout.write(self.style.SUCCESS(f"Run {run.run_id}: {len(frame)} fila(s) escritas en {output}"))
