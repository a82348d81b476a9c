"""What distribution runs say (fastdso.messages): warnings, stages and the
labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text, vocabulary

MESSAGES: dict[str, Template | str] = {
    # A run that cannot change state yet (a TransitionRefused).
    # The safety rail (SPEC §5.1): the engine named a SKU outside the request; the job fails with a reference.
    "distribution.scope_violation": plural(
        "Se rechazó el run: %(n)s SKU fuera de la solicitud (%(skus)s). Nada se guardó.",
        "Se rechazó el run: %(n)s SKUs fuera de la solicitud (%(skus)s). Nada se guardó.",
    ),
    "distribution.run_not_finished": N_("El run %(id)s no terminó de generarse: no cambia de estado."),
    # Parameters refused (distribution.engine.ParamsError): the list, then each problem.
    "distribution.params_invalid": N_("Parámetros inválidos: %(problems)s."),
    "distribution.param_not_a_number": N_("%(key)s: «%(value)s» no es un número"),
    "distribution.param_above_max": N_("%(key)s: «%(value)s» fuera de rango (máximo %(max)s)"),
    "distribution.param_unknown_model": N_("modelo «%(value)s» desconocido (use SMA1, SMA2 o SMA3)"),
    "distribution.param_history_min": N_("las semanas de historia deben ser al menos 1"),
    "distribution.param_history_model": N_(
        "%(model)s promedia %(k)s semanas: la historia debe tener al menos esas semanas"
    ),
    "distribution.param_min_weeks_min": N_("las semanas mínimas con venta deben ser al menos 1"),
    "distribution.param_min_weeks_history": N_(
        "las semanas mínimas con venta no pueden superar las semanas de historia"
    ),
    "distribution.param_target_woc_positive": N_("la cobertura objetivo debe ser mayor que 0"),
    "distribution.param_cold_start_min_fill_negative": N_("el mínimo de arranque en frío no puede ser negativo"),
    "distribution.param_cold_start_woc_negative": N_("la cobertura de arranque en frío no puede ser negativa"),
    "distribution.param_top_n_min": N_("el top de tiendas debe ser al menos 1"),
    "distribution.param_category_window_min": N_("la ventana de categoría debe ser al menos 1 semana"),
    "distribution.param_unknown_basis": N_("base de arranque en frío «%(value)s» desconocida (use per_sku o category)"),
    "distribution.param_unknown_cd_rule": N_(
        "regla de CD «%(value)s» desconocida (use priority, fair_share o equal_cover)"
    ),
    "distribution.param_unknown_choice": N_("%(name)s «%(value)s» desconocido (use %(allowed)s)"),
    "distribution.param_launch_weeks_range": N_("las semanas de lanzamiento deben estar entre 0 y 104"),
    "distribution.param_new_store_weeks_range": N_("las semanas de tienda nueva deben estar entre 0 y 104"),
    "distribution.param_launch_min_rate_negative": N_("la tasa mínima de lanzamiento no puede ser negativa"),
    "distribution.param_max_pack_woc_positive": N_("la cobertura máxima por caja debe ser mayor que 0"),
    "stage.reading_request": N_("Leyendo la solicitud"),
    "stage.reading_macro_sales": N_("Leyendo ventas macro"),
    "stage.reading_stock": N_("Leyendo stock"),
    "stage.saving_run": N_("Guardando el run"),
    "distribution.empty_request": N_("La solicitud no tiene SKUs: no se creó ningún run."),
    "distribution.launch_factor_range": text(
        N_("launch_factor debe estar entre 0 y %(max)s: no se creó ningún run."), digits={"max": RAW}
    ),
    "distribution.no_category": text(
        N_("SKU %(sku)s: sin ventas y sin categoría; no se distribuye (%(reason)s)."), labels={"reason": "reason"}
    ),
    "distribution.like_fallback": N_(
        "SKU %(sku)s: el SKU similar «%(like)s» no existe o no tiene ventas; se planifica por categoría."
    ),
    "distribution.no_macro_sales": N_(
        "No hay ventas macro cargadas: ningún SKU tiene ventas y el arranque en frío no tiene "
        "ventas de categoría. Cargue ventas macro y vuelva a generar."
    ),
    "distribution.no_cd_stock": N_("No hay stock CD cargado: con el límite por CD activo no se asigna nada."),
    "distribution.stores_behind": plural(
        N_("%(n)s tienda con datos que terminan antes de la semana de corte: %(stores)s."),
        N_("%(n)s tiendas con datos que terminan antes de la semana de corte: %(stores)s."),
    ),
    "distribution.stores_behind_more": plural(
        N_("%(n)s tienda con datos que terminan antes de la semana de corte: %(stores)s y %(more)s más."),
        N_("%(n)s tiendas con datos que terminan antes de la semana de corte: %(stores)s y %(more)s más."),
    ),
    "distribution.store_data_until": N_("%(store)s (datos hasta %(until)s)"),
    # The CD units other open runs held when the run was planned (SPEC §5.7).
    "distribution.cd_held": N_("%(total)s (%(by)s)"),
    "distribution.cd_held_more": N_("%(total)s (%(by)s … +%(more)s)"),
    "distribution.held_by": N_("%(source)s: %(units)s"),
    # Summary keys the core's parameter labels do not name.
    "cd_reserved_units": N_("Unidades CD retenidas por runs abiertos"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "reason",
    {
        "SALES_RATE": (N_("Por venta"), N_("La tienda recibe según su venta semanal × cobertura objetivo − su stock.")),
        "CATEGORY": (N_("Arranque en frío"), N_("SKU sin venta propia: recibe según la venta de su categoría.")),
        "CD_LIMITED": (N_("Limitado por CD"), N_("Al CD le quedaba menos de lo sugerido: se asignó una parte.")),
        "CD_EXHAUSTED": (N_("CD agotado"), N_("El CD se agotó con tiendas de mayor prioridad.")),
        "NO_CD_STOCK": (N_("Sin stock CD"), N_("Hay necesidad pero el CD no tiene stock: asignado 0.")),
        "NO_CATEGORY": (N_("Sin categoría"), N_("Sin ventas y sin categoría: no hay arranque en frío.")),
        "NO_CATEGORY_SALES": (
            N_("Categoría sin ventas"),
            N_("Sin ventas y su categoría no vende en ninguna tienda en la ventana."),
        ),
        "SALES_BELOW_MIN_WEEKS": (
            N_("Pocas semanas con venta"),
            N_("Vende, pero ninguna tienda llega a las semanas mínimas con venta."),
        ),
        "NO_RECENT_SALES": (
            N_("Sin venta reciente"),
            N_("Vendió en la historia, pero 0 en las últimas k semanas del modelo."),
        ),
        "STOCK_COVERS_NEED": (N_("Stock suficiente"), N_("El stock de las tiendas ya cubre la necesidad.")),
        "UNKNOWN": (N_("Sin causa identificada"), N_("Causa no identificada.")),
        "OUT_OF_STOCK_RATE": (
            N_("Tasa con stock"),
            N_("La tienda se quedó sin stock: se planifica con lo que vendía mientras tenía stock."),
        ),
        "DISPLAY_MIN": (N_("Exhibición mínima"), N_("La exhibición mínima del producto sube el objetivo.")),
        "LIKE": (N_("Lanzamiento como SKU similar"), N_("SKU nuevo: la venta de su SKU similar × el factor.")),
        "LIKE_STORE": (N_("Tienda nueva"), N_("Tienda que abre: la tasa de su tienda similar × su tamaño.")),
        "PROMO": (N_("Promoción por delante"), N_("Una promoción en las semanas de cobertura sube el objetivo.")),
        "PACK_EXCEEDS_COVER": (
            N_("Caja supera la cobertura"),
            N_("Tienda sin stock que no recibe nada: una sola caja supera la cobertura máxima por caja."),
        ),
    },
)
MESSAGES |= vocabulary(
    "model",
    {
        "SMA1": (N_("SMA1 (1 sem)"), N_("Venta de la última semana.")),
        "SMA2": (N_("SMA2 (2 sem)"), N_("Promedio de las últimas 2 semanas.")),
        "SMA3": (N_("SMA3 (3 sem)"), N_("Promedio de las últimas 3 semanas.")),
        "COLD_START_CATEGORY": (N_("Arranque en frío"), N_("SKU nuevo: venta de su categoría en las mejores tiendas.")),
        "COLD_START_LIKE": (N_("Lanzamiento como SKU similar"), N_("SKU nuevo: venta de su SKU similar × el factor.")),
        "NEW_STORE_LIKE": (N_("Tienda nueva"), N_("Tienda que abre: tasa de su tienda similar × su tamaño.")),
    },
)
MESSAGES |= vocabulary(
    "job_kind",
    {
        "distribution_run": N_("Run de distribución"),
    },
)
MESSAGES |= vocabulary(
    "audit_action",
    {
        "run": N_("Run"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "allocated": N_("Unidades asignadas"),
        "cold_start_min_fill": N_("Mínimo arranque en frío"),
        "cold_start_target_woc": N_("Cobertura arranque en frío (sem)"),
        "category_window_weeks": N_("Ventana de categoría (sem)"),
        "cold_start_basis": N_("Base del arranque en frío"),
        "round_to_pack": N_("Redondear a cajas"),
        "rate_rule": N_("Tasa de tiendas sin stock"),
        "pack_rule": N_("Redondeo a cajas"),
        "max_pack_woc": N_("Cobertura máxima por caja (sem)"),
        "launch_rule": N_("Lanzamientos"),
        "launch_weeks": N_("Semanas de lanzamiento"),
        "launch_min_rate": N_("Tasa mínima de lanzamiento (u/sem)"),
        "new_store_weeks": N_("Semanas de tienda nueva"),
        "promo_rule": N_("Promociones"),
        "total_suggested": N_("Unidades sugeridas"),
        "run_a": N_("Run A"),
        "run_b": N_("Run B"),
        "compare_with": N_("Comparado con"),
        "sales_based_skus": N_("SKUs por venta (SMA)"),
        "cold_start_skus": N_("SKUs arranque en frío"),
        "skipped_skus": N_("SKUs sin línea"),
        "skipped_by_reason": N_("Sin línea, por motivo"),
        "lines_by_model": N_("Líneas por modelo"),
        "lines_by_reason": N_("Líneas por motivo"),
        "pack_exceeds_pairs": N_("Tiendas sin stock sin línea (caja sobre la cobertura)"),
        "new_store_lines": N_("Líneas a tiendas nuevas"),
        "no_cd_stock_skus": N_("SKUs sin stock CD"),
        "skus_without_allocation": N_("SKUs sin asignación"),
        "sales_based_allocated": N_("Unidades asignadas por venta"),
        "cold_start_allocated": N_("Unidades CD a arranque en frío"),
    },
)
