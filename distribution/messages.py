"""What distribution runs say (fastdso.messages): warnings, stages and the
labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text

MESSAGES: dict[str, Template | str] = {
    # A run that cannot change state yet (a TransitionRefused).
    "distribution.run_not_finished": N_("El run %(id)s no terminó de generarse: no cambia de estado."),
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
