"""What sales uploads say (fastdso.messages): refusals, row errors, stages
and the labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, text, vocabulary

MESSAGES: dict[str, Template | str] = {
    "stage.writing_weekly": N_("Escribiendo ventas semanales"),
    "stage.category_summary": N_("Resumiendo ventas por categoría"),
    "stage.writing_subset": N_("Escribiendo ventas subset"),
    "stage.reading_range": N_("Leyendo las ventas ya cargadas del rango"),
    "stage.comparing": N_("Comparando con lo ya cargado"),
    "stage.saving_promotions": N_("Guardando promociones"),
    "sales.date_out_of_range": N_("fecha fuera de rango: debe estar entre %(first)s y %(last)s (hoy + 7 días)"),
    "sales.too_many_keys": N_("El archivo tiene demasiados SKUs o tiendas distintos."),
    "sales.too_many_keys_week": N_("Demasiadas combinaciones de producto, tienda y semana en una carga."),
    "sales.day_overflow": N_("Las cantidades de un día suman más de lo que admite la base de datos."),
    "sales.week_overflow": N_("Las cantidades de un día o de una semana suman más de lo que admite la base de datos."),
    "sales.unknown_mode": N_("Modo desconocido «%(mode)s»: use replace_range o append_range."),
    "sales.end_before_start": N_("la fecha de fin es anterior a la de inicio"),
    "sales.promotion_too_long": N_("la promoción dura más de %(n)s días"),
    "sales.promotion_repeated": text(
        N_("promoción repetida con otro nombre (también en la fila %(row)s)"), digits={"row": RAW}
    ),
    "sales.incomplete_week": N_(
        "La semana del %(day)s (%(first)s a %(last)s) no está completa: el 80 %% de las tiendas tiene datos "
        "hasta el %(until)s. La última semana completa es la del %(complete_first)s al %(complete_last)s: "
        "elija una fecha de esa semana o anterior, o deje la fecha vacía."
    ),
    "sales.audit_subset": N_("Ventas subset: %(file)s"),
    "sales.audit_promotions": N_("Promociones: %(file)s"),
    "sales.audit_pruned": N_("Ventas semanales antes del %(before)s"),
    "audit_action.prune_sales": N_("Depuración de ventas"),
    "date_range_value": N_("%(first)s → %(last)s"),
    # Summary keys the core's parameter labels do not name.
    "weeks_loaded": N_("Semanas"),
    "date_range": N_("Rango de fechas"),
    "weekly_rows": N_("Filas semanales en el archivo"),
    "weekly_rows_written": N_("Filas semanales escritas (nuevas o cambiadas)"),
    "weekly_rows_cleared": N_("Filas semanales del rango puestas en 0"),
    "records": N_("Registros (SKU, tienda, fecha)"),
    "records_written": N_("Registros escritos (nuevos o cambiados)"),
    "promotions_in_file": N_("Promociones en el archivo"),
    "promotions_created": N_("Promociones nuevas"),
    "promotions_unchanged": N_("Promociones ya cargadas (sin cambios)"),
    "repeated_rows": N_("Filas repetidas en el archivo"),
    "promotions_removed": N_("Promociones borradas del rango"),
    "promotions_every_store": N_("Promociones en todas las tiendas"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "job_kind",
    {
        "macro_sales_import": N_("Carga de ventas macro"),
        "legacy_sales_import": N_("Carga de ventas (formato antiguo)"),
        "promotion_import": N_("Carga de promociones"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "partitions": N_("Particiones borradas"),
        "weeks_loaded": N_("Semanas"),
        "first_date": N_("Primer día"),
        "last_date": N_("Último día"),
        "rows_cleared": N_("Filas borradas"),
        "removed": N_("Borradas"),
    },
)
MESSAGES |= vocabulary(
    "value",
    {
        "macro_sales": N_("Ventas macro"),
        "legacy_sales": N_("Ventas (formato antiguo)"),
        "replace_range": N_("Reemplazar rango"),
        "append_range": N_("Sumar al rango"),
        "promotions": N_("Promociones"),
        "append_rows": N_("Agregar filas"),
    },
)
