"""Pieces the planners' management commands share."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError

from fastdso.bounds import OutOfRange, bounded_date

if TYPE_CHECKING:
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
            raise CommandError(exc.message) from None
        return day
    raise CommandError(f"Fecha inválida «{value}»: use AAAA-MM-DD o DD/MM/AAAA.")


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
    from fastdso.messages import render

    lines = [render(job.message or "jobs.failed")]
    for error in job.errors[:ERRORS_PRINTED]:
        lines.append(
            f"  fila {error.get('row') or '—'} · {error.get('column') or '—'} · "
            f"«{error.get('value', '')}»: {render(error.get('message', ''))}"
        )
    if job.error_count > ERRORS_PRINTED:
        lines.append(f"  … y {job.error_count - ERRORS_PRINTED} error(es) más (página de la tarea #{job.pk}).")
    return CommandError("\n".join(lines))
