"""Pieces the planners' management commands share."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def command_date(value: str) -> dt.date:
    """A command-line date: ISO YYYY-MM-DD, or day first DD/MM/YYYY or DD-MM-YYYY."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Fecha inválida «{value}»: use AAAA-MM-DD o DD/MM/AAAA.")
