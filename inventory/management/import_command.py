"""Shared shape of the import commands (SPEC §9): run the upload's job
synchronously — the same code as the web upload — print its summary, and on
bad input print the error report and exit non-zero."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fastdso.bounds import OutOfRange, bounded_date
from fastdso.commands import ERRORS_PRINTED
from fastdso.jobs import job_start
from fastdso.labels import key_label, value_text
from fastdso.messages import render
from fastdso.models import Job


def iso_date(value: str) -> str:
    """argparse type for --date: validated YYYY-MM-DD within the bounds (fastdso.bounds), kept as text for the job."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Fecha inválida «{value}»: use AAAA-MM-DD.") from exc
    try:
        return str(bounded_date(day, "--date"))
    except OutOfRange as exc:
        raise CommandError(str(exc.message)) from None


class ImportCommand(BaseCommand):
    job_kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Archivo CSV o XLSX.")
        parser.add_argument(
            "--max-mb",
            type=int,
            default=None,
            help="Rechazar el archivo si pesa más de estos MB (por defecto, sin límite).",
        )

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No existe el archivo {path}.")
        params = self.job_params(options)
        if options.get("max_mb") is not None:
            params["max_mb"] = options["max_mb"]
        job = job_start(kind=self.job_kind, path=path, params=params, sync=True)
        if job.status != Job.Status.DONE:
            self.stderr.write(f"Tarea #{job.pk} fallida: {render(job.message)}")
            if job.errors:
                self.stderr.write(f"{job.error_count} error(es). Primeras filas:")
                for error in job.errors[:ERRORS_PRINTED]:
                    row = error.get("row") or "—"
                    self.stderr.write(
                        f"  fila {row}  columna {error.get('column') or '—'}  "
                        f"valor «{error.get('value', '')}»: {render(error.get('message', ''))}"
                    )
            raise CommandError(f"No se cargó nada: {render(job.message)}")
        self.stdout.write(self.style.SUCCESS(f"Tarea #{job.pk} terminada: {path.name}"))
        for key, value in job.summary_items:
            self.stdout.write(f"  {key_label(key)}: {value_text(value)}")
        for warning in job.warnings[:ERRORS_PRINTED]:
            self.stdout.write(self.style.WARNING(f"  Advertencia: {render(warning)}"))
        if len(job.warnings) > ERRORS_PRINTED:
            self.stdout.write(self.style.WARNING(f"  … y {len(job.warnings) - ERRORS_PRINTED} advertencias más."))
