"""What a planner reads instead of a code: one registry for the whole UI.

Codes (reasons, models, job kinds, audit actions, parameter and summary
names) stay what the engines, exports and API use; pages show `label(...)`
and, where a planner needs it, `help_text(...)` (legend, badge tooltip).

The core imports no feature app, so the codes are written here as text; an
app's engine keeps its constants and the test `test_labels.py` checks that
every code an engine defines has a label here.

Stored text. Jobs, runs, plans and audit events keep what they say as
Spanish phrases (the msgids below, marked with gettext_noop and written in
Spanish whatever the language of who started the job). `stored_text()`
translates a stored phrase into the viewer's language when it is shown:
a fixed phrase through the catalogue, a phrase with values through the
patterns of `STORED_TEMPLATES` (the values are kept, numbers re-formatted
for the viewer's locale). Rows stored before this change are the same
phrases, so they are translated too; an unknown phrase is shown as stored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from fastdso.formatting import fmt_number

Label = tuple[Any, Any]  # (label, help text or "")

# --- Reasons (distribution lines and exceptions, transfers, shortfalls, forecast sources, health)
REASONS: dict[str, Label] = {
    "SALES_RATE": (_("Por venta"), _("La tienda recibe según su venta semanal × cobertura objetivo − su stock.")),
    "CATEGORY": (_("Arranque en frío"), _("SKU sin venta propia: recibe según la venta de su categoría.")),
    "CD_LIMITED": (_("Limitado por CD"), _("Al CD le quedaba menos de lo sugerido: se asignó una parte.")),
    "CD_EXHAUSTED": (_("CD agotado"), _("El CD se agotó con tiendas de mayor prioridad.")),
    "NO_CD_STOCK": (_("Sin stock CD"), _("Hay necesidad pero el CD no tiene stock: asignado 0.")),
    "NO_CATEGORY": (_("Sin categoría"), _("Sin ventas y sin categoría: no hay arranque en frío.")),
    "NO_CATEGORY_SALES": (
        _("Categoría sin ventas"),
        _("Sin ventas y su categoría no vende en ninguna tienda en la ventana."),
    ),
    "SALES_BELOW_MIN_WEEKS": (
        _("Pocas semanas con venta"),
        _("Vende, pero ninguna tienda llega a las semanas mínimas con venta."),
    ),
    "NO_RECENT_SALES": (
        _("Sin venta reciente"),
        _("Vendió en la historia, pero 0 en las últimas k semanas del modelo."),
    ),
    "STOCK_COVERS_NEED": (_("Stock suficiente"), _("El stock de las tiendas ya cubre la necesidad.")),
    "UNKNOWN": (_("Sin causa identificada"), _("Causa no identificada.")),
    # v3 distribution rules (SPEC §4.6, §5.2–§5.4a).
    "OUT_OF_STOCK_RATE": (
        _("Tasa con stock"),
        _("La tienda se quedó sin stock: se planifica con lo que vendía mientras tenía stock."),
    ),
    "DISPLAY_MIN": (_("Exhibición mínima"), _("La exhibición mínima del producto sube el objetivo.")),
    "LIKE": (_("Lanzamiento como SKU similar"), _("SKU nuevo: la venta de su SKU similar × el factor.")),
    "LIKE_STORE": (_("Tienda nueva"), _("Tienda que abre: la tasa de su tienda similar × su tamaño.")),
    "PROMO": (_("Promoción por delante"), _("Una promoción en las semanas de cobertura sube el objetivo.")),
    "PACK_EXCEEDS_COVER": (
        _("Caja supera la cobertura"),
        _("Tienda sin stock que no recibe nada: una sola caja supera la cobertura máxima por caja."),
    ),
    # Redistribution transfers.
    "URGENT": (_("Urgente"), _("Destino bajo la cobertura mínima (min_woc).")),
    "BELOW_TARGET": (_("Bajo el objetivo"), _("Destino bajo la cobertura objetivo (target_woc).")),
    "MIN_FILL": (_("Subido al mínimo"), _("Subido a la cantidad mínima de traslado (destino urgente).")),
    "FILE_QTY": (_("Tope del archivo"), _("La cantidad del archivo es el máximo a trasladar.")),
    "FILE_QTY_OVERRIDE": (_("Cantidad del archivo"), _("La cantidad del archivo es la necesidad (override).")),
    # Redistribution shortfalls (destinations still short).
    "NO_DONOR_EXCESS": (_("Sin excedente en donantes"), _("Ninguna tienda donante tiene stock sobre su piso.")),
    "BELOW_MIN_FILL": (_("Bajo el mínimo de traslado"), _("Lo que falta es menos que la cantidad mínima.")),
    "MAX_UNITS_PER_SKU_PER_DEST": (_("Tope por SKU y destino"), _("Se alcanzó el máximo por SKU y destino.")),
    "MAX_ROWS": (_("Tope de filas del plan"), _("El plan llegó a su máximo de filas.")),
    "MAX_UNITS": (_("Tope global de unidades"), _("El plan llegó a su máximo de unidades.")),
    "BELOW_MIN_MOVE_UNITS": (
        _("Bajo el traslado mínimo (v3)"),
        _("Lo que falta, o lo que puede dar el donante, es menos que min_move_units."),
    ),
    "NO_WORTHWHILE_DONOR": (
        _("Ningún donante vale el viaje"),
        _(
            "Ningún donante pasa la prueba de v3: destino urgente y donante no, destino que vende "
            "min_gain veces el donante, o donante que queda sobre max_woc."
        ),
    ),
    # Forecast sources and exceptions.
    "MACRO": (_("Ventas macro"), _("Promedio de las ventas macro del SKU en la ventana.")),
    "CATEGORY_PROXY": (_("Proxy de categoría"), _("SKU sin ventas: promedio por SKU de su categoría.")),
    "NO_HISTORY": (_("Sin historial macro"), _("Sin ventas propias ni de su categoría.")),
    "NET_SALES_NOT_POSITIVE": (_("Venta neta no positiva"), _("Las devoluciones igualan o superan la venta.")),
    "END_OF_LIFE": (
        _("Fin de vida"),
        _("Vendió en la historia pero no en las últimas semanas de fin de vida con stock en tiendas: no se compra."),
    ),
    # Store Health.
    "OUT_OF_STOCK_WITH_DEMAND": (_("Quiebre con demanda"), _("Stock 0 en una tienda que vende el SKU.")),
    "BELOW_MIN_WOC": (_("Cobertura bajo el mínimo"), _("Menos semanas de stock que el mínimo.")),
    "ABOVE_MAX_WOC": (_("Cobertura sobre el máximo"), _("Más semanas de stock que el máximo.")),
}

# --- Models of a line
MODELS: dict[str, Label] = {
    "SMA1": (_("SMA1 (1 sem)"), _("Venta de la última semana.")),
    "SMA2": (_("SMA2 (2 sem)"), _("Promedio de las últimas 2 semanas.")),
    "SMA3": (_("SMA3 (3 sem)"), _("Promedio de las últimas 3 semanas.")),
    "COLD_START_CATEGORY": (_("Arranque en frío"), _("SKU nuevo: venta de su categoría en las mejores tiendas.")),
    # Purchase forecast methods and the methods its evaluation compares (SPEC v3 §6).
    "seasonal": (
        _("Estacional"),
        _("Índice estacional de la categoría × nivel por suavizado exponencial (α por SKU)."),
    ),
    "sma": (_("Promedio móvil (V2)"), _("Promedio de las semanas de historia × semanas de cobertura.")),
    "naive": (_("Ingenuo"), _("La venta de la última semana, repetida.")),
    "seasonal_naive": (_("Ingenuo estacional"), _("Las mismas semanas de hace 52 semanas.")),
    "autoets": (_("AutoETS (statsforecast)"), _("ETS automático de la biblioteca de referencia, por SKU.")),
    "COLD_START_LIKE": (_("Lanzamiento como SKU similar"), _("SKU nuevo: venta de su SKU similar × el factor.")),
    "NEW_STORE_LIKE": (_("Tienda nueva"), _("Tienda que abre: tasa de su tienda similar × su tamaño.")),
}
# Reasons that name what made them: "CATEGORY:Consolas", "LIKE:A-100", "LIKE_STORE:Tienda 3", "PROMO:Navidad".
NAMED_REASONS = ("CATEGORY", "LIKE", "LIKE_STORE", "PROMO")


def _named_reason(text: str) -> str | None:
    """The code of a reason that names something ("LIKE" of "LIKE:A-100"), else None."""
    code, sep, _rest = text.partition(":")
    return code if sep and code in NAMED_REASONS else None


# --- Background job kinds
JOB_KINDS: dict[str, Label] = {
    "macro_sales_import": (_("Carga de ventas macro"), ""),
    "legacy_sales_import": (_("Carga de ventas (formato antiguo)"), ""),
    "product_import": (_("Carga de productos"), ""),
    "cd_stock_import": (_("Carga de stock CD"), ""),
    "store_stock_import": (_("Carga de stock de tiendas"), ""),
    "promotion_import": (_("Carga de promociones"), ""),
    "store_import": (_("Carga de tiendas"), ""),
    "shipments_import": (_("Carga de despachos"), ""),
    "receipts_import": (_("Carga de recepciones"), ""),
    "store_health_refresh": (_("Cálculo de salud de tiendas"), ""),
    "distribution_run": (_("Run de distribución"), ""),
    "purchase_forecast": (_("Pronóstico de compra"), ""),
    "redistribution_plan": (_("Plan de redistribución"), ""),
    "replay": (_("Replay de políticas"), ""),
}

# --- Audit actions
AUDIT_ACTIONS: dict[str, Label] = {
    "upload": (_("Carga"), ""),
    "run": (_("Run"), ""),
    "plan": (_("Plan"), ""),
    "export": (_("Exportación"), ""),
    "replay": (_("Replay"), ""),
    "lifecycle": (_("Cambio de estado"), ""),
    "admin_export": (_("Exportación (admin)"), ""),
    "demo_clear": (_("Borrado de datos de demostración"), ""),
    "job_failed": (_("Tarea fallida"), ""),
    "admin_add": (_("Alta (admin)"), ""),
    "admin_change": (_("Cambio (admin)"), ""),
    "admin_delete": (_("Baja (admin)"), ""),
}

# --- Parameters of runs, plans and forecasts, and keys of stored summaries / audit details
PARAMS: dict[str, Label] = {
    "demo_lines_removed_from": (_("Runs y planes reales (solo sin sus líneas de demostración)"), ""),
    "model": (_("Modelo"), ""),
    "as_of": (_("Fecha de corte pedida"), ""),
    "as_of_week": (_("Semana de corte"), ""),
    "lookback_weeks": (_("Semanas de historia"), ""),
    "min_weeks": (_("Semanas mínimas con venta"), ""),
    "target_woc": (_("Cobertura objetivo (sem)"), _("Semanas de venta que cada destino debe cubrir.")),
    "cold_start_min_fill": (_("Mínimo arranque en frío"), ""),
    "cold_start_target_woc": (_("Cobertura arranque en frío (sem)"), ""),
    "cold_start_top_n": (_("Top tiendas de la categoría"), ""),
    "category_window_weeks": (_("Ventana de categoría (sem)"), ""),
    "limit_by_cd": (_("Limitar por stock CD"), ""),
    "cold_start_basis": (_("Base del arranque en frío"), ""),
    "cd_rule": (_("Regla de reparto del CD"), ""),
    "round_to_pack": (_("Redondear a cajas"), ""),
    "rules": (_("Reglas"), _("v3 por defecto; v2 vuelve a todas las reglas anteriores a la vez.")),
    "rate_rule": (_("Tasa de tiendas sin stock"), ""),
    "pack_rule": (_("Redondeo a cajas"), ""),
    "max_pack_woc": (_("Cobertura máxima por caja (sem)"), ""),
    "launch_rule": (_("Lanzamientos"), ""),
    "launch_weeks": (_("Semanas de lanzamiento"), ""),
    "launch_min_rate": (_("Tasa mínima de lanzamiento (u/sem)"), ""),
    "new_store_weeks": (_("Semanas de tienda nueva"), ""),
    "promo_rule": (_("Promociones"), ""),
    "pack_size": (_("Unidades por caja"), ""),
    "partial": (_("Parcial"), ""),
    "history_weeks": (_("Semanas de historia"), _("Semanas de venta usadas para la demanda de cada tienda.")),
    "min_woc": (_("Cobertura mínima (sem)"), _("Bajo esta cobertura un destino es urgente.")),
    "max_woc": (_("Cobertura máxima (sem)"), _("Sobre esta cobertura una tienda tiene excedente.")),
    "max_retain_woc": (_("Cobertura que retiene el donante (sem)"), _("El donante conserva esta cobertura.")),
    "min_store_stock": (_("Stock mínimo del donante (u)"), ""),
    "min_fill": (_("Traslado mínimo (u)"), _("No se envían traslados más chicos a un destino urgente.")),
    "sku_weight": (_("Peso de la venta propia del SKU"), ""),
    "top_n": (_("Top SKUs de la categoría"), ""),
    "max_rows": (_("Máximo de filas del plan"), ""),
    "max_units_per_sku_per_dest": (_("Máximo por SKU y destino (u)"), ""),
    "max_units": (_("Máximo de unidades del plan"), ""),
    "min_move_units": (_("Traslado mínimo v3 (u)"), _("Un traslado de menos unidades no se hace.")),
    "min_gain": (
        _("Ganancia mínima de demanda"),
        _("El destino debe vender al menos este múltiplo de lo que vende el donante (salvo urgencia o exceso)."),
    ),
    "small_moves": (_("Movimientos de menos de 3 u"), ""),
    "small_moves_share": (_("Parte de movimientos de menos de 3 u"), ""),
    "override_qty": (_("La cantidad del archivo es la necesidad"), ""),
    "auto_pick_donors": (_("Elegir donantes automáticamente"), ""),
    "eligible_store_ids": (_("Tiendas elegibles"), ""),
    "weeks": (_("Semanas de historia"), ""),
    "coverage_weeks": (_("Semanas de cobertura"), ""),
    "method": (_("Método"), ""),
    "end_of_life": (_("SKUs en fin de vida"), ""),
    "eol_weeks": (_("Semanas sin venta para fin de vida"), ""),
    "eol_override": (_("Fin de vida comprado igual"), ""),
    "origins": (_("Orígenes de la evaluación"), ""),
    "mode": (_("Modo"), ""),
    "scope": (_("Alcance"), ""),
    "category": (_("Categoría"), ""),
    "destination": (_("Destino"), ""),
    "origin": (_("Origen"), ""),
    "path": (_("Archivo"), ""),
    # Summary and audit-detail keys.
    "scope_skus": (_("SKUs solicitados"), ""),
    "line_count": (_("Líneas"), ""),
    "total_suggested": (_("Unidades sugeridas"), ""),
    "total_allocated": (_("Unidades asignadas"), ""),
    "purchase_units": (_("Compra sugerida (u.)"), ""),
    "coverage_units": (_("Cobertura (u.)"), ""),
    "sku_count": (_("SKUs"), ""),
    "moves": (_("Movimientos"), ""),
    "units": (_("Unidades"), ""),
    "skus": (_("SKUs"), ""),
    "stores": (_("Tiendas"), ""),
    "rows": (_("Filas"), ""),
    "count": (_("Cantidad"), ""),
    "format": (_("Formato"), ""),
    "filters": (_("Filtros"), ""),
    "lines": (_("Líneas"), ""),
    "weeks_loaded": (_("Semanas"), ""),
    "warnings": (_("Advertencias"), ""),
    "errors": (_("Errores"), ""),
    "change": (_("Cambio"), ""),
    "kind": (_("Tipo"), ""),
    "file": (_("Archivo"), ""),
    "category_warnings": (_("Advertencias de categoría"), ""),
    "rows_read": (_("Filas leídas"), ""),
    "rows_written": (_("Filas escritas"), ""),
    "skus_read": (_("SKUs leídos"), ""),
    "weeks_done": (_("Semanas simuladas"), ""),
    "from": (_("De"), ""),
    "to": (_("A"), ""),
    "state": (_("Estado"), ""),
    "action": (_("Acción"), ""),
    "released_units": (_("Unidades liberadas"), ""),
    "cd_reserved": (_("Reservadas en CD"), ""),
    "in_transit": (_("En tránsito"), ""),
    "reserved_by": (_("Reservado por"), ""),
    "store_units": (_("Unidades en tiendas"), ""),
    "cd_supply": (_("Abastecimiento CD"), ""),
    "policies": (_("Políticas"), ""),
    "best_fill": (_("Mejor cumplimiento"), ""),
    "lowest_stock": (_("Menor stock"), ""),
    "run_id": (_("Run"), ""),
    "plan_id": (_("Plan"), ""),
    "forecast_id": (_("Pronóstico"), ""),
    "run_a": (_("Run A"), ""),
    "run_b": (_("Run B"), ""),
    "compare_with": (_("Comparado con"), ""),
    "request_file_name": (_("Solicitud"), ""),
    "window_start": (_("Inicio de la ventana"), ""),
    "window_end": (_("Fin de la ventana"), ""),
    "sales_based_skus": (_("SKUs por venta (SMA)"), ""),
    "cold_start_skus": (_("SKUs arranque en frío"), ""),
    "skipped_skus": (_("SKUs sin línea"), ""),
    "skipped_by_reason": (_("Sin línea, por motivo"), ""),
    "lines_by_model": (_("Líneas por modelo"), ""),
    "lines_by_reason": (_("Líneas por motivo"), ""),
    "pack_exceeds_pairs": (_("Tiendas sin stock sin línea (caja sobre la cobertura)"), ""),
    "new_store_lines": (_("Líneas a tiendas nuevas"), ""),
    "no_cd_stock_skus": (_("SKUs sin stock CD"), ""),
    "skus_without_allocation": (_("SKUs sin asignación"), ""),
    "store_count": (_("Tiendas"), ""),
    "sales_based_allocated": (_("Unidades asignadas por venta"), ""),
    "cold_start_allocated": (_("Unidades CD a arranque en frío"), ""),
    "skus_considered": (_("SKUs analizados"), ""),
    "skus_moved": (_("SKUs con traslados"), ""),
    "origin_stores": (_("Tiendas donantes"), ""),
    "destination_stores": (_("Tiendas destino"), ""),
    "stores_affected": (_("Tiendas afectadas"), ""),
    "urgent_moves": (_("Urgentes atendidos"), ""),
    "destinations_short": (_("Destinos aún cortos"), ""),
    "short_pairs": (_("SKU-tienda aún cortos"), ""),
    "short_units": (_("Unidades faltantes"), ""),
    "short_urgent_pairs": (_("SKU-tienda urgentes aún cortos"), ""),
    "short_reasons": (_("Faltantes por motivo"), ""),
    "short_by_store": (_("Faltantes por tienda"), ""),
    "cap_hit": (_("Tope alcanzado"), ""),
    "eligible_stores": (_("Tiendas elegibles"), ""),
    "system_decides": (_("El sistema decide las cantidades"), ""),
    "seconds": (_("Segundos"), ""),
    "macro": (_("Con ventas macro"), ""),
    "category_proxy": (_("Proxy de categoría"), ""),
    "no_history": (_("Sin historial macro"), ""),
    "compare_rows": (_("Filas"), ""),
    # Keys of the upload audit details (imports' summaries).
    "date": (_("Fecha"), ""),
    "first_date": (_("Primer día"), ""),
    "last_date": (_("Último día"), ""),
    "kept": (_("Conservados"), ""),
    "replaced": (_("Reemplazados"), ""),
    "created": (_("Creados"), ""),
    "renamed": (_("Renombrados"), ""),
    "categories_set": (_("Categorías asignadas"), ""),
    "rows_cleared": (_("Filas borradas"), ""),
    "new_products": (_("Productos nuevos"), ""),
    "new_stores": (_("Tiendas nuevas"), ""),
    "promotions": (_("Promociones"), ""),
    "unchanged": (_("Sin cambios"), ""),
    "removed": (_("Borradas"), ""),
    "updated": (_("Actualizadas"), ""),
    "opening": (_("Con apertura"), ""),
    "inactive": (_("Inactivas"), ""),
    "display_min_set": (_("Exhibiciones mínimas cambiadas"), ""),
    # Shipments and receipts (SPEC v3 §5.7).
    "backfill": (_("Con fecha pasada (backfill)"), ""),
    "backfill_rows": (_("Filas con fecha pasada"), ""),
    "sources": (_("Runs y planes"), ""),
    "shipped_units": (_("Unidades despachadas"), ""),
    "shipped_lines": (_("Líneas despachadas"), ""),
    # Keys stored in Spanish by older rows and some services.
    "errores": (_("Errores"), ""),
    "mensaje": (_("Mensaje"), ""),
    "movimientos": (_("Movimientos"), ""),
    "formato": (_("Formato"), ""),
    "filas": (_("Filas"), ""),
    "unidades": (_("Unidades"), ""),
}

# --- Codes stored as detail values (upload types and modes)
VALUES: dict[str, Label] = {
    "macro_sales": (_("Ventas macro"), ""),
    "legacy_sales": (_("Ventas (formato antiguo)"), ""),
    "products": (_("Productos"), ""),
    "cd_stock": (_("Stock CD"), ""),
    "store_stock": (_("Stock de tiendas"), ""),
    "replace_range": (_("Reemplazar rango"), ""),
    "append_range": (_("Sumar al rango"), ""),
    "promotions": (_("Promociones"), ""),
    "append_rows": (_("Agregar filas"), ""),
    "stores_file": (_("Tiendas"), ""),
    "shipments": (_("Despachos"), ""),
    "receipts": (_("Recepciones"), ""),
}

_REGISTRIES = {
    "reason": REASONS,
    "model": MODELS,
    "job_kind": JOB_KINDS,
    "audit_action": AUDIT_ACTIONS,
    "param": PARAMS,
    "value": VALUES,
}


def label(kind: str, code: Any) -> str:
    """The translated label of `code` in registry `kind` (reason, model, job_kind,
    audit_action, param); an unknown code is shown as it is."""
    if code is None or code == "":
        return ""
    text = str(code)
    registry = _REGISTRIES[kind]
    if kind == "reason" and _named_reason(text):
        return f"{registry[text.split(':', 1)[0]][0]} · {text.split(':', 1)[1]}"
    entry = registry.get(text)
    return str(entry[0]) if entry else text


def help_text(kind: str, code: Any) -> str:
    """A short explanation of `code` for a tooltip or legend ("" if none)."""
    text = str(code or "")
    if kind == "reason" and _named_reason(text):
        text = text.split(":", 1)[0]
    entry = _REGISTRIES[kind].get(text)
    return str(entry[1]) if entry and entry[1] else ""


def choices(kind: str, codes: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a filter's select."""
    registry = _REGISTRIES[kind]
    return [(code, label(kind, code)) for code in (codes if codes is not None else list(registry))]


# ---------------------------------------------------------------------------
# Stored phrases, translated when shown
# ---------------------------------------------------------------------------

# Fixed phrases stored by jobs (stages, summary names, warnings, messages).
STORED_PHRASES: list[str] = [
    # Job stages.
    gettext_noop("Iniciando"),
    gettext_noop("Terminada"),
    gettext_noop("Terminado"),
    gettext_noop("Fallida"),
    gettext_noop("Leyendo y validando el archivo"),
    gettext_noop("Actualizando productos y tiendas"),
    gettext_noop("Actualizando productos"),
    gettext_noop("Escribiendo ventas semanales"),
    gettext_noop("Resumiendo ventas por categoría"),
    gettext_noop("Escribiendo ventas subset"),
    gettext_noop("Leyendo las ventas ya cargadas del rango"),
    gettext_noop("Comparando con lo ya cargado"),
    gettext_noop("Calculando la salud de tiendas"),
    gettext_noop("Guardando productos"),
    gettext_noop("Guardando stock CD"),
    gettext_noop("Guardando stock de tiendas"),
    gettext_noop("Guardando promociones"),
    gettext_noop("Guardando tiendas"),
    gettext_noop("Leyendo la entrada"),
    gettext_noop("Leyendo ventas macro"),
    gettext_noop("Preparando la lista de SKUs"),
    gettext_noop("Calculando proxies de categoría y stock"),
    gettext_noop("Backtest de métodos"),
    gettext_noop("Guardando el pronóstico"),
    gettext_noop("Leyendo la solicitud"),
    gettext_noop("Leyendo stock"),
    gettext_noop("Calculando"),
    gettext_noop("Guardando el run"),
    gettext_noop("Validando tiendas"),
    gettext_noop("Eligiendo SKUs"),
    gettext_noop("Leyendo ventas y stock"),
    gettext_noop("Calculando traslados"),
    gettext_noop("Guardando el plan"),
    gettext_noop("Plan listo"),
    gettext_noop("Comprobando las líneas"),
    gettext_noop("Guardando"),
    # Summary rows of jobs.
    gettext_noop("Run"),
    gettext_noop("Plan"),
    gettext_noop("SKUs solicitados"),
    gettext_noop("SKUs por venta (SMA)"),
    gettext_noop("SKUs arranque en frío"),
    gettext_noop("SKUs sin línea"),
    gettext_noop("Sin línea, por motivo"),
    gettext_noop("SKUs sin stock CD"),
    gettext_noop("Líneas"),
    gettext_noop("Líneas por modelo"),
    gettext_noop("Líneas por motivo"),
    gettext_noop("Tiendas sin stock sin línea (caja sobre la cobertura)"),
    gettext_noop("Unidades sugeridas"),
    gettext_noop("Unidades asignadas"),
    gettext_noop("Unidades CD a arranque en frío"),
    gettext_noop("Advertencias de categoría"),
    gettext_noop("Filas leídas"),
    gettext_noop("Filas escritas"),
    gettext_noop("Registros escritos (nuevos o cambiados)"),
    gettext_noop("Fecha del stock"),
    gettext_noop("Tiendas"),
    gettext_noop("Unidades"),
    gettext_noop("Tiendas nuevas"),
    gettext_noop("Productos nuevos"),
    gettext_noop("Productos renombrados"),
    gettext_noop("Productos sin cambios"),
    gettext_noop("Semanas"),
    gettext_noop("Movimientos"),
    gettext_noop("SKUs"),
    gettext_noop("Advertencias de categoría"),
    gettext_noop("Categorías asignadas"),
    gettext_noop("Filas reemplazadas de la misma fecha"),
    gettext_noop("Filas semanales del rango puestas en 0"),
    gettext_noop("Filas semanales en el archivo"),
    gettext_noop("Filas semanales escritas (nuevas o cambiadas)"),
    gettext_noop("Modo"),
    gettext_noop("Nombres actualizados"),
    gettext_noop("Rango de fechas"),
    gettext_noop("Registros (SKU, tienda, fecha)"),
    gettext_noop("tiendas"),
    gettext_noop("SKUs en el alcance"),
    gettext_noop("quiebres con demanda"),
    gettext_noop("bajo cobertura mínima"),
    gettext_noop("sobre cobertura máxima"),
    gettext_noop("SKUs con traslados"),
    gettext_noop("Tiendas afectadas"),
    gettext_noop("Destinos aún cortos"),
    gettext_noop("Pronóstico"),
    gettext_noop("Semana de corte"),
    gettext_noop("Con ventas macro"),
    gettext_noop("Proxy de categoría"),
    gettext_noop("Sin historial macro"),
    gettext_noop("Unidades a comprar"),
    gettext_noop("Método"),
    gettext_noop("Fin de vida"),
    gettext_noop("Unidades CD retenidas por runs abiertos"),
    gettext_noop("Promociones en el archivo"),
    gettext_noop("Promociones nuevas"),
    gettext_noop("Promociones ya cargadas (sin cambios)"),
    gettext_noop("Filas repetidas en el archivo"),
    gettext_noop("Promociones borradas del rango"),
    gettext_noop("Promociones en todas las tiendas"),
    gettext_noop("Tiendas en el archivo"),
    gettext_noop("Tiendas actualizadas"),
    gettext_noop("Tiendas sin cambios"),
    gettext_noop("Tiendas con fecha de apertura"),
    gettext_noop("Tiendas con tienda similar"),
    gettext_noop("Tiendas inactivas en el archivo"),
    gettext_noop("Exhibiciones mínimas cambiadas"),
    gettext_noop("Movimientos de menos de 3 u"),
    gettext_noop("Runs y planes"),
    gettext_noop("Con fecha pasada (backfill)"),
    # Fixed warnings and messages.
    gettext_noop("No hay stock CD cargado: con el límite por CD activo no se asigna nada."),
    gettext_noop("La columna qty del archivo se ignoró: el sistema decide las cantidades."),
    gettext_noop("El archivo no trae la columna qty: el sistema decide las cantidades."),
    gettext_noop("El archivo está vacío."),
    gettext_noop("valor vacío"),
    gettext_noop("no es un número"),
    gettext_noop("debe ser un número entero"),
    gettext_noop("valor fuera de rango"),
    gettext_noop("fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)"),
    gettext_noop("columna obligatoria ausente"),
    gettext_noop("fecha fuera de rango (1990–2199)"),
    gettext_noop("SKU desconocido"),
    gettext_noop("tienda desconocida"),
    gettext_noop("la fecha de fin es anterior a la de inicio"),
    gettext_noop("tienda similar desconocida (no está en la base ni en el archivo)"),
    gettext_noop("una tienda no puede ser su propia tienda similar"),
    gettext_noop("debe ser mayor que 0"),
    gettext_noop("use sí/no, yes/no, true/false o 1/0"),
    gettext_noop("el código ya es de otra tienda"),
    # Shipment and receipt files (SPEC v3 §5.7).
    gettext_noop("falta run_id o plan_id"),
    gettext_noop("indique run_id o plan_id, no ambos"),
    gettext_noop("run o plan inexistente"),
    gettext_noop("tienda desconocida"),
    gettext_noop("tienda de origen desconocida"),
    gettext_noop("fecha posterior a hoy"),
    gettext_noop("el run o plan no tiene esa línea (SKU y tienda)"),
    gettext_noop("el plan trae ese SKU a esa tienda desde varias tiendas: indique origin"),
    gettext_noop(
        "fecha anterior al último conteo de stock de ese lugar: confirme la carga con fecha pasada (--backfill)"
    ),
    gettext_noop("El archivo solo tiene el encabezado: no hay filas de datos."),
    gettext_noop("La solicitud no tiene SKUs: no se creó ningún run."),
    gettext_noop(
        "No hay ventas macro cargadas: ningún SKU tiene ventas y el arranque en frío no tiene "
        "ventas de categoría. Cargue ventas macro y vuelva a generar."
    ),
    gettext_noop(
        "No hay ventas macro cargadas: cargue ventas en «Carga de ventas macro» antes de planificar "
        "una redistribución (la demanda sale de esa capa)."
    ),
    gettext_noop("No hay tiendas: cargue stock o ventas de tiendas antes de redistribuir."),
    gettext_noop("No hay una semana completa de ventas cargada para usar como referencia."),
    gettext_noop("La lista de SKUs está vacía: indique al menos un SKU."),
    gettext_noop("No hay ventas macro cargadas: cargue ventas o indique una fecha de corte (as-of)."),
    gettext_noop("El archivo tiene demasiados SKUs o tiendas distintos."),
    gettext_noop("Las cantidades de un día suman más de lo que admite la base de datos."),
    gettext_noop("El proceso se detuvo; no se guardó nada. Vuelva a enviar la tarea si todavía la necesita."),
    gettext_noop(
        "El servicio de tareas no respondió al enviar esta tarea: no se inició y no se guardó nada. "
        "Vuelva a enviarla cuando el servicio esté disponible."
    ),
]

# Phrases with values: %(name)s is any text (a SKU, a store, a number).
STORED_TEMPLATES: list[str] = [
    gettext_noop("SKU %(sku)s: el archivo dice categoría «%(new)s», se mantiene «%(old)s»."),
    # %(reason)s is a reason code (stored as the code), shown as its label.
    gettext_noop("SKU %(sku)s: sin ventas y sin categoría; no se distribuye (%(reason)s)."),
    gettext_noop("SKU %(sku)s: el SKU similar «%(like)s» no existe o no tiene ventas; se planifica por categoría."),
    gettext_noop("launch_factor debe estar entre 0 y %(max)s: no se creó ningún run."),
    gettext_noop("El archivo tiene %(n)s error(es); no se cargó nada. Corrija las filas indicadas."),
    gettext_noop("El archivo tiene %(n)s error(es); no se cargó nada."),
    gettext_noop("texto demasiado largo (máximo %(n)s caracteres)"),
    gettext_noop("texto demasiado largo (máximo %(n)s)"),
    gettext_noop("debe ser mayor o igual a %(n)s"),
    gettext_noop("Faltan columnas obligatorias: %(missing)s. Columnas encontradas: %(found)s."),
    gettext_noop("%(n)s SKU(s) no están en el catálogo de productos: %(skus)s."),
    gettext_noop("%(n)s SKU(s) repetidos en la entrada se consideraron una sola vez."),
    gettext_noop("SKUs que no existen en el maestro (se omiten): %(skus)s"),
    gettext_noop("Error interno: %(detail)s"),
    gettext_noop(
        "Error interno (referencia %(ref)s): no se guardó nada. El detalle quedó en el registro del servidor."
    ),
    gettext_noop(
        "Una carga enviada después de esta (tarea #%(job)s) ya se aplicó a las mismas tiendas y fechas: "
        "esta carga, más antigua, no se aplicó para no sobrescribirla. No se guardó nada; "
        "vuelva a enviarla si todavía la necesita."
    ),
    gettext_noop("SKUs repetidos en el archivo (se suman sus cantidades): %(skus)s"),
    gettext_noop("Tiendas elegibles desconocidas (id): %(ids)s"),
    gettext_noop("La categoría «%(cat)s» no tiene productos: no hay nada que redistribuir."),
    gettext_noop("La categoría «%(cat)s» no tiene ventas en las %(weeks)s semanas hasta %(as_of)s."),
    gettext_noop("Ninguno de los %(n)s SKUs del archivo existe en el maestro de productos."),
    gettext_noop("SKUs sin categoría (solo cuenta su propia demanda): %(skus)s"),
    gettext_noop("Se alcanzó el tope %(cap)s: quedan destinos sin atender (vea «destinos aún cortos»)."),
    gettext_noop("La categoría «%(cat)s» no tiene productos en el catálogo."),
    gettext_noop("Tienda(s) inexistente(s): %(stores)s."),
    gettext_noop("%(what)s repetido (también en la fila %(row)s)"),
    gettext_noop("fecha fuera de rango: debe estar entre %(first)s y %(last)s"),
    gettext_noop("la promoción dura más de %(n)s días"),
    gettext_noop("promoción repetida con otro nombre (también en la fila %(row)s)"),
    gettext_noop("tienda repetida (también en la fila %(row)s)"),
    gettext_noop("debe estar entre %(low)s y %(high)s"),
    gettext_noop("el nombre ya es de otra tienda (%(store)s)"),
    gettext_noop("despacha %(total)s u; la línea tiene %(limit)s y ya se despacharon %(done)s"),
    gettext_noop("recibe %(total)s u; se despacharon %(limit)s y ya se recibieron %(done)s"),
    gettext_noop("no se puede despachar: está «%(state)s»"),
    gettext_noop("no se puede recibir: está «%(state)s»"),
    gettext_noop("La fecha del stock %(date)s es posterior a hoy (%(today)s): no se cargó nada."),
    gettext_noop(
        "La fecha del stock %(date)s es anterior al último conteo (%(latest)s): "
        "confirme la carga con fecha pasada (--backfill). No se cargó nada."
    ),
    # Names of audited objects.
    gettext_noop("Despachos: %(file)s"),
    gettext_noop("Recepciones: %(file)s"),
    gettext_noop("Pronóstico #%(id)s · %(scope)s"),
    gettext_noop("Ventas subset: %(file)s"),
    gettext_noop("Productos: %(file)s"),
    gettext_noop("Promociones: %(file)s"),
    gettext_noop("Tiendas: %(file)s"),
    gettext_noop("Stock CD %(date)s: %(file)s"),
    gettext_noop("Stock tiendas %(date)s: %(file)s"),
    gettext_noop("Store Health: alertas (%(format)s)"),
    gettext_noop("Stock CD (%(format)s)"),
    gettext_noop("Stock tiendas (%(format)s)"),
]


# Stored phrases with a count written "error(es)", shown with the plural the
# count takes (ngettext: singular, plural), in either language. The stored
# text stays as written (old rows and every writer keep matching).
STORED_PLURALS: dict[str, tuple[str, str]] = {
    "El archivo tiene %(n)s error(es); no se cargó nada. Corrija las filas indicadas.": (
        gettext_noop("El archivo tiene %(n)s error; no se cargó nada. Corrija la fila indicada."),
        gettext_noop("El archivo tiene %(n)s errores; no se cargó nada. Corrija las filas indicadas."),
    ),
    "El archivo tiene %(n)s error(es); no se cargó nada.": (
        gettext_noop("El archivo tiene %(n)s error; no se cargó nada."),
        gettext_noop("El archivo tiene %(n)s errores; no se cargó nada."),
    ),
    "%(n)s SKU(s) no están en el catálogo de productos: %(skus)s.": (
        gettext_noop("%(n)s SKU no está en el catálogo de productos: %(skus)s."),
        gettext_noop("%(n)s SKUs no están en el catálogo de productos: %(skus)s."),
    ),
    "%(n)s SKU(s) repetidos en la entrada se consideraron una sola vez.": (
        gettext_noop("%(n)s SKU repetido en la entrada se consideró una sola vez."),
        gettext_noop("%(n)s SKUs repetidos en la entrada se consideraron una sola vez."),
    ),
}


def _count(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in STORED_TEMPLATES:
        parts = re.split(r"%\((\w+)\)s", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        compiled.append((re.compile(f"^{regex}$", re.S), template))
    return compiled


_SPANISH_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def _value_for_viewer(text: str) -> str:
    """A number written the Spanish way ("1.234", "2,5") in the viewer's locale."""
    if not _SPANISH_NUMBER.match(text):
        return text
    digits = len(text.split(",", 1)[1]) if "," in text else 0
    return fmt_number(text.replace(".", "").replace(",", "."), digits)


def stored_text(text: Any) -> str:
    """A phrase stored by a job, run, plan or audit event, in the viewer's language."""
    if not isinstance(text, str) or not text:
        return "" if text is None else str(text)
    translated = gettext(text)
    if translated != text or text in STORED_PHRASES:
        return translated
    for pattern, template in _patterns():
        match = pattern.match(text)
        if match:
            # Only counts ("n") are re-formatted: a SKU like 00012345 stays as written.
            values = {k: _value_for_viewer(v) if k == "n" else v for k, v in match.groupdict().items()}
            if "reason" in values:
                values["reason"] = label("reason", values["reason"])
            if template in STORED_PLURALS:
                singular, plural = STORED_PLURALS[template]
                return ngettext(singular, plural, _count(match.group("n"))) % values
            return gettext(template) % values
    return text


def known_stored_text(text: str) -> bool:
    """Whether `stored_text` knows this phrase (a fixed phrase or a template)."""
    return text in STORED_PHRASES or any(p.match(text) for p, _t in _patterns())


def value_text(value: Any) -> str:
    """A stored summary/detail value as the viewer reads it: integers grouped,
    decimals with up to two places, phrases translated, mappings as "label n"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("sí") if value else gettext("no")
    if isinstance(value, int):
        return fmt_number(value)
    if isinstance(value, float):
        return fmt_number(value, 0 if value.is_integer() else 2)
    if isinstance(value, dict):
        if not value:
            return "—"
        return ", ".join(f"{_key_label(k)} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        shown = ", ".join(value_text(v) for v in value[:5])
        return shown + (f" … (+{fmt_number(len(value) - 5)})" if len(value) > 5 else "")
    if value in VALUES:
        return label("value", value)
    return stored_text(str(value))


def _key_label(key: Any) -> str:
    text = str(key)
    for kind in ("reason", "param"):
        if text in _REGISTRIES[kind] or (kind == "reason" and _named_reason(text)):
            return label(kind, text)
    return stored_text(text)


def key_label(key: Any) -> str:
    """The label of a stored summary or detail key (a code or a stored phrase)."""
    return _key_label(key)
