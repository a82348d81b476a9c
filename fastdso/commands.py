"""Pieces the management commands share, and the base of every import command
(SPEC §9): run the upload's job synchronously — the same code as the web
upload — print its summary, and on bad input print the error report and exit
non-zero."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from fastdso.bounds import OutOfRange, bounded_date
from fastdso.jobs import job_start
from fastdso.labels import key_label, value_text
from fastdso.messages import render
from fastdso.models import Job


def command_date(value: str, flag: str = "--as-of") -> dt.date:
    """A command-line date: ISO YYYY-MM-DD, or day first DD/MM/YYYY or DD-MM-YYYY,
    within the bounds every user date has (fastdso.bounds)."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        try:
            bounded_date(day, flag)
        except OutOfRange as exc:
            raise CommandError(str(exc.message)) from None
        return day
    raise CommandError(f"Fecha inválida «{value}»: use AAAA-MM-DD o DD/MM/AAAA.")


def sku_scope_arguments(parser: CommandParser) -> Any:
    """`--skus FILE | --category NAME`, one of them required: the planners'
    scope. Returns the group (the replay adds `--top-skus` to it)."""
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--skus", metavar="FILE", help="Archivo CSV/XLSX con la columna sku.")
    scope.add_argument("--category", metavar="NAME", help="Todos los productos de la categoría.")
    return scope


ERRORS_PRINTED = 20  # row errors a failed job prints on the command line


def command_number(value: str, flag: str, kind: type = int, minimum: float | None = None) -> Any:
    """A numeric option (`kind` int or float): a clear error naming the flag."""
    try:
        number = kind(value)
    except ValueError:
        raise CommandError(f"{flag}: «{value}» no es un número{' entero' if kind is int else ''}.") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise CommandError(f"{flag}: «{value}» no es un número finito.")
    if minimum is not None and number < minimum:
        raise CommandError(f"{flag}: «{value}» debe ser al menos {minimum}.")
    return number


def output_path_check(path: str | None) -> None:
    """--output names a CSV or an XLSX file."""
    if path and not path.lower().endswith((".csv", ".xlsx")):
        raise CommandError(f"--output debe terminar en .csv o .xlsx: «{path}».")


def job_failure(job: Job) -> CommandError:
    """A planner's job that did not finish, as the command's error: its message
    and its first row errors (the job page has them all)."""
    lines = [render(job.message or "jobs.failed")]
    for error in job.errors[:ERRORS_PRINTED]:
        lines.append(
            f"  fila {error.get('row') or '—'} · {error.get('column') or '—'} · "
            f"«{error.get('value', '')}»: {render(error.get('message', ''))}"
        )
    if job.error_count > ERRORS_PRINTED:
        more = job.error_count - ERRORS_PRINTED
        lines.append(
            ngettext(
                "  … y %(n)s error más (página de la tarea #%(job)s).",
                "  … y %(n)s errores más (página de la tarea #%(job)s).",
                more,
            )
            % {"n": more, "job": job.pk}
        )
    return CommandError("\n".join(lines))


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
    """`import_<kind> FILE [--max-mb N]` and the options its class declares:
    `date_help` adds `--date YYYY-MM-DD` (job param "date"), each of `flags`
    (param name → help) a `--name` switch sent as `{name: True}` when given."""

    job_kind = ""
    date_help = ""
    flags: dict[str, str] = {}

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Archivo CSV o XLSX.")
        parser.add_argument(
            "--max-mb",
            type=int,
            default=None,
            help="Rechazar el archivo si pesa más de estos MB (por defecto, sin límite).",
        )
        if self.date_help:
            parser.add_argument("--date", type=iso_date, help=self.date_help)
        for name, help_text in self.flags.items():
            parser.add_argument(f"--{name.replace('_', '-')}", action="store_true", help=help_text)

    def job_params(self, options: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"date": options["date"]} if self.date_help and options.get("date") else {}
        params.update({name: True for name in self.flags if options.get(name)})
        return params

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
                self.stderr.write(
                    ngettext("%(n)s error. Primeras filas:", "%(n)s errores. Primeras filas:", job.error_count)
                    % {"n": job.error_count}
                )
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
