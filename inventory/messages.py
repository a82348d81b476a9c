"""What the stock pages and the API say about stock, rendered when shown in
the viewer's language (the data is stored or computed as numbers and dates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from fastdso.formatting import fmt_number

STOCK_GAP = "STOCK_AS_OF_GAP"


def stock_gap_text(gap: dict[str, Any]) -> str:
    """The warning of inventory.queries.stock_date_gap, in the active language."""
    weeks = round(gap["days"] / 7)
    values = {
        "stock": gap["stock_date"].isoformat(),
        "week": gap["as_of_week"].isoformat(),
        "weeks": fmt_number(weeks),
    }
    if gap["stock_after"]:
        return (
            ngettext(
                "El stock más reciente (%(stock)s) es %(weeks)s semana posterior a la semana de corte "
                "(%(week)s): el plan compara el stock de hoy con ventas de otra época. "
                "Cargue ventas recientes o elija otra semana de corte.",
                "El stock más reciente (%(stock)s) es %(weeks)s semanas posterior a la semana de corte "
                "(%(week)s): el plan compara el stock de hoy con ventas de otra época. "
                "Cargue ventas recientes o elija otra semana de corte.",
                weeks,
            )
            % values
        )
    return (
        ngettext(
            "El stock más reciente (%(stock)s) es %(weeks)s semana anterior a la semana de corte "
            "(%(week)s): cargue un stock más reciente.",
            "El stock más reciente (%(stock)s) es %(weeks)s semanas anterior a la semana de corte "
            "(%(week)s): cargue un stock más reciente.",
            weeks,
        )
        % values
    )


def stock_gap_warning(gap: dict[str, Any] | None) -> dict[str, Any] | None:
    """The API's form of the warning: code, dates, days and the text."""
    if gap is None:
        return None
    return {
        "code": STOCK_GAP,
        "stock_date": gap["stock_date"],
        "as_of_week": gap["as_of_week"],
        "days": gap["days"],
        "message": stock_gap_text(gap),
    }
