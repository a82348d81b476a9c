"""What the stock pages and the API say about stock, rendered when shown in
the viewer's language (the data is stored or computed as numbers and dates)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop, ngettext

from fastdso.formatting import fmt_number
from fastdso.messages import RAW, Template, plural, text, vocabulary

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


# --- What the inventory's uploads say (fastdso.messages), by code -------------
N_ = gettext_noop

MESSAGES: dict[str, Template | str] = {
    "stage.updating_products": N_("Actualizando productos"),
    "stage.updating_products_stores": N_("Actualizando productos y tiendas"),
    "stage.saving_stores": N_("Guardando tiendas"),
    "stage.saving_products": N_("Guardando productos"),
    "stage.saving_cd_stock": N_("Guardando stock CD"),
    "stage.saving_store_stock": N_("Guardando stock de tiendas"),
    "stage.checking_lines": N_("Comprobando las líneas"),
    "inventory.category_kept": N_("SKU %(sku)s: el archivo dice categoría «%(new)s», se mantiene «%(old)s»."),
    "date_out_of_range": N_("fecha fuera de rango: debe estar entre %(first)s y %(last)s"),
    "unknown_sku": N_("SKU desconocido"),
    "inventory.unknown_store": N_("tienda desconocida"),
    "inventory.unknown_origin": N_("tienda de origen desconocida"),
    "inventory.yes_no": N_("use sí/no, yes/no, true/false o 1/0"),
    "inventory.code_taken": N_("el código ya es de otra tienda"),
    "inventory.repeated_store": text(N_("tienda repetida (también en la fila %(row)s)"), digits={"row": RAW}),
    "inventory.unknown_like_store": N_("tienda similar desconocida (no está en la base ni en el archivo)"),
    "inventory.own_like_store": N_("una tienda no puede ser su propia tienda similar"),
    "inventory.repeated_sku_row": text(N_("SKU repetido (también en la fila %(row)s)"), digits={"row": RAW}),
    "inventory.repeated_sku_store_row": text(
        N_("SKU y tienda repetido (también en la fila %(row)s)"), digits={"row": RAW}
    ),
    "inventory.repeated_sku": plural(
        N_("El archivo repite %(n)s SKU; no se cargó nada. Deje una sola fila por SKU."),
        N_("El archivo repite %(n)s SKUs; no se cargó nada. Deje una sola fila por SKU."),
    ),
    "inventory.repeated_sku_store": plural(
        N_("El archivo repite %(n)s SKU y tienda; no se cargó nada. Deje una sola fila por SKU y tienda."),
        N_("El archivo repite %(n)s SKU y tiendas; no se cargó nada. Deje una sola fila por SKU y tienda."),
    ),
    "inventory.cd_partial": N_("Parcial: solo se actualizaron los SKUs del archivo"),
    "inventory.cd_complete": N_("Completo: los SKUs ausentes del archivo quedan en 0"),
    "inventory.stock_date_future": N_("La fecha del stock %(date)s es posterior a hoy (%(today)s): no se cargó nada."),
    "inventory.stock_date_backfill": N_(
        "La fecha del stock %(date)s es anterior al último conteo (%(latest)s): "
        "confirme la carga con fecha pasada (--backfill). No se cargó nada."
    ),
    # Shipment and receipt files (SPEC v3 §5.7).
    "inventory.source_missing": N_("falta run_id o plan_id"),
    "inventory.source_both": N_("indique run_id o plan_id, no ambos"),
    "inventory.source_unknown": N_("run o plan inexistente"),
    "inventory.date_after_today": N_("fecha posterior a hoy"),
    "inventory.no_such_line": N_("el run o plan no tiene esa línea (SKU y tienda)"),
    "inventory.several_origins": N_("el plan trae ese SKU a esa tienda desde varias tiendas: indique origin"),
    "inventory.cannot_ship": text(N_("no se puede despachar: está «%(state)s»"), labels={"state": "life_state"}),
    "inventory.cannot_receive": text(N_("no se puede recibir: está «%(state)s»"), labels={"state": "life_state"}),
    "inventory.backfill_needed": N_(
        "fecha anterior al último conteo de stock de ese lugar: confirme la carga con fecha pasada (--backfill)"
    ),
    "inventory.ship_over": N_("despacha %(total)s u; la línea tiene %(limit)s y ya se despacharon %(done)s"),
    "inventory.receive_over": N_("recibe %(total)s u; se despacharon %(limit)s y ya se recibieron %(done)s"),
    # Names of audited uploads.
    "inventory.audit_stores": N_("Tiendas: %(file)s"),
    "inventory.audit_products": N_("Productos: %(file)s"),
    "inventory.audit_cd_stock": N_("Stock CD %(date)s: %(file)s"),
    "inventory.audit_store_stock": N_("Stock tiendas %(date)s: %(file)s"),
    "inventory.audit_shipments": N_("Despachos: %(file)s"),
    "inventory.audit_receipts": N_("Recepciones: %(file)s"),
    "inventory.audit_demo_data": N_("Datos de demostración"),
    "inventory.audit_stock_pruned": N_("Fotos de stock antes del %(before)s"),
    "audit_action.prune_stock": N_("Depuración de fotos de stock"),
    # Summary keys the core's parameter labels do not name.
    "snapshot_date": N_("Fecha del stock"),
    "stores_updated": N_("Tiendas actualizadas"),
    "stores_unchanged": N_("Tiendas sin cambios"),
    "stores_opening": N_("Tiendas con fecha de apertura"),
    "stores_with_like": N_("Tiendas con tienda similar"),
    "stores_inactive": N_("Tiendas inactivas en el archivo"),
    "names_updated": N_("Nombres actualizados"),
    "packs_changed": N_("Unidades por caja cambiadas"),
    "skus_kept": N_("SKUs que mantienen su cantidad"),
    "rows_replaced": N_("Filas reemplazadas de la misma fecha"),
    # Approving a run or plan whose stock is no longer free (a TransitionRefused).
    "inventory.approve_short": plural(
        N_(
            "No se puede aprobar %(id)s: el stock libre ya no alcanza para %(n)s SKU: %(shown)s%(more)s. "
            "Otro run o plan aprobado ya lo tomó, o llegó un snapshot con menos stock: genere de nuevo. Nada cambió."
        ),
        N_(
            "No se puede aprobar %(id)s: el stock libre ya no alcanza para %(n)s SKUs: %(shown)s%(more)s. "
            "Otro run o plan aprobado ya lo tomó, o llegó un snapshot con menos stock: genere de nuevo. Nada cambió."
        ),
    ),
    "inventory.approve_short_more": N_(" (y %(n)s más)"),
    "inventory.cd_shortfall": N_("%(sku)s (pide %(units)s, libres %(free)s)"),
    "inventory.donor_shortfall": N_("%(sku)s en %(store)s (salen %(units)s, quedan %(free)s)"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "job_kind",
    {
        "product_import": N_("Carga de productos"),
        "cd_stock_import": N_("Carga de stock CD"),
        "store_stock_import": N_("Carga de stock de tiendas"),
        "store_import": N_("Carga de tiendas"),
        "shipments_import": N_("Carga de despachos"),
        "receipts_import": N_("Carga de recepciones"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "store_rows": N_("Filas de tiendas"),
        "cd_rows": N_("Filas del CD"),
        "demo_lines_removed_from": N_("Runs y planes reales (solo sin sus líneas de demostración)"),
        "categories_set": N_("Categorías asignadas"),
        "display_min_set": N_("Exhibiciones mínimas cambiadas"),
        "backfill": N_("Con fecha pasada (backfill)"),
        "backfill_rows": N_("Filas con fecha pasada"),
        "shipped_lines": N_("Líneas despachadas"),
    },
)
MESSAGES |= vocabulary(
    "value",
    {
        "products": N_("Productos"),
        "cd_stock": N_("Stock CD"),
        "store_stock": N_("Stock de tiendas"),
        "stores_file": N_("Tiendas"),
        "shipments": N_("Despachos"),
        "receipts": N_("Recepciones"),
    },
)
