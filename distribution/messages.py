"""What distribution runs say (fastdso.messages): warnings, stages and the
labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text

MESSAGES: dict[str, Template | str] = {
    # A run that cannot change state yet (a TransitionRefused).
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
