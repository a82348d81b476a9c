"""What a planner reads instead of a code: one registry for the whole UI.

Codes (reasons, models, job kinds, audit actions, parameter and summary
names) stay what the engines, exports and API use; pages show `label(...)`
and, where a planner needs it, `help_text(...)` (legend, badge tooltip).

The core imports no feature app, so the codes are written here as text; an
app's engine keeps its constants and the test `test_labels.py` checks that
every code an engine defines has a label here.

What jobs, runs, plans and audit events say is stored as messages (codes
and parameters, fastdso.messages) and rendered when shown; `value_text`
and `key_label` show a stored summary or detail entry.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
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
    audit_action, param), else the one an app declares in its catalogue as
    "<kind>.<code>" (fastdso.messages); an unknown code is shown as it is."""
    if code is None or code == "":
        return ""
    text = str(code)
    if kind == "life_state":  # a run's or plan's state (fastdso.models.LifeState)
        from fastdso.models import LifeState

        return str(LifeState(text).label) if text in LifeState.values else text
    registry = _REGISTRIES[kind]
    if kind == "reason" and _named_reason(text):
        return f"{registry[text.split(':', 1)[0]][0]} · {text.split(':', 1)[1]}"
    entry = registry.get(text)
    if entry:
        return str(entry[0])
    return _catalogued(f"{kind}.{text}") or text


def _catalogued(code: str) -> str:
    """An app's own label for a code (its catalogue's "<kind>.<code>"), or ""."""
    from fastdso.messages import catalogue, render

    return render(code) if code in catalogue() else ""


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


def value_text(value: Any) -> str:
    """A stored summary/detail value as the viewer reads it: integers grouped,
    decimals with up to two places, messages rendered, value codes (upload
    types, modes) by their label, mappings as "label n"."""
    from fastdso.messages import Message, is_message, render

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("sí") if value else gettext("no")
    if isinstance(value, int):
        return fmt_number(value)
    if isinstance(value, float):
        return fmt_number(value, 0 if value.is_integer() else 2)
    if isinstance(value, Message) or is_message(value):
        return render(value)
    if isinstance(value, dict):
        if not value:
            return "—"
        return ", ".join(f"{key_label(k)} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        shown = ", ".join(value_text(v) for v in value[:5])
        return shown + (f" … (+{fmt_number(len(value) - 5)})" if len(value) > 5 else "")
    if value in VALUES:
        return label("value", value)
    if value in MODELS:  # a forecast's method
        return label("model", value)
    if isinstance(value, str) and _model_name(value):
        return _model_name(value)
    from fastdso.models import LifeState  # lifecycle states, as audit details store them

    if value in LifeState.values:
        return str(LifeState(value).label)
    return str(value)


def key_label(key: Any) -> str:
    """The label of a stored summary or detail key: a reason, a message code
    of an app's catalogue, or a parameter; an unknown key as it is."""
    from fastdso.messages import label_of

    text = str(key)
    if text in REASONS or _named_reason(text):
        return label("reason", text)
    return _model_name(text) or label_of(text)


def _model_name(text: str) -> str:
    """The plural name of a model named "app.Model" (demo clearing counts rows
    per model, admin exports name theirs), or ""."""
    app_label, dot, model = text.partition(".")
    if not dot or not app_label.islower() or not model[:1].isupper():
        return ""
    from django.apps import apps

    try:
        return str(apps.get_model(text)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return ""
