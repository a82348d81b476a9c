"""What replays say (fastdso.messages): warnings, refusals, stages and the
lines of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text, vocabulary

MESSAGES: dict[str, Template | str] = {
    "stage.preparing_scope": N_("Preparando el alcance"),
    "stage.reading_sales_history": N_("Leyendo la historia de ventas"),
    "stage.policy_week": N_("Política «%(policy)s»: semana %(k)s de %(n)s"),
    "stage.saving_replay": N_("Guardando el replay"),
    # Policies (replay.engine.PolicyError).
    "replay.policy_without_name": N_("Política «%(policy)s»: falta el nombre (use NOMBRE:clave=valor,…)."),
    "replay.policy_name_too_long": text(
        N_("Política «%(policy)s…»: el nombre supera %(max)s caracteres."), digits={"max": RAW}
    ),
    "replay.policy_not_key_value": N_("Política «%(policy)s»: «%(item)s» no es clave=valor."),
    "replay.policy_unknown_key": N_("Política «%(policy)s»: parámetro desconocido «%(key)s» (válidos: %(valid)s)."),
    "replay.policy_repeated_key": N_("Política «%(policy)s»: el parámetro «%(key)s» aparece dos veces."),
    "replay.policy_bad_value": N_("Política «%(policy)s»: valor inválido para «%(key)s»: «%(value)s» (%(detail)s)."),
    "replay.policy_limit_by_cd": N_(
        "Política «%(policy)s»: «limit_by_cd» no se puede desactivar: el replay siempre limita por el CD "
        "(use cd_supply para un CD más holgado)."
    ),
    "replay.policy_params": N_("Política «%(policy)s»: %(detail)s"),
    "replay.no_policy": N_("Indique al menos una política (NOMBRE:clave=valor,…)."),
    "replay.too_many_policies": N_("Como máximo %(max)s políticas; se indicaron %(n)s."),
    "replay.policy_name_twice": N_("Dos políticas se llaman «%(policy)s»: use nombres distintos."),
    # The request (replay.services.replay_request_validate).
    "replay.invalid": N_("Replay inválido: %(problems)s."),
    "replay.weeks_range": N_("las semanas deben estar entre 1 y %(max)s"),
    "replay.cd_supply_range": N_("cd_supply debe estar entre 0 y %(max)s"),
    "replay.top_range": N_("el top de SKUs debe estar entre 1 y %(max)s"),
    "replay.choose_category": N_("indique una categoría"),
    "replay.unknown_scope": N_("alcance desconocido «%(scope)s»"),
    "replay.unknown_rules": N_("reglas desconocidas «%(rules)s» (use v3 o v2)"),
    "replay.unknown_cd_mode": N_("abastecimiento del CD desconocido «%(mode)s» (use purchase o history)"),
    "replay.lead_range": N_("el plazo del proveedor debe estar entre 0 y %(max)s semanas"),
    "replay.unknown_category": N_("Categoría desconocida: «%(cat)s»."),
    "replay.few_selling_skus": plural(
        N_("Solo %(n)s SKU vendió en las %(weeks)s semanas: se usa ese."),
        N_("Solo %(n)s SKUs vendieron en las %(weeks)s semanas: se usan esos."),
    ),
    "replay.unknown_skus": plural(
        N_("%(n)s SKU no está en el catálogo y no se simula: %(skus)s."),
        N_("%(n)s SKUs no están en el catálogo y no se simulan: %(skus)s."),
    ),
    "replay.no_catalogue_sku": N_("El alcance no tiene SKUs del catálogo: no hay nada que simular."),
    "replay.no_macro_sales": N_("No hay ventas macro cargadas: cargue ventas o indique una semana de corte (as-of)."),
    # The job's summary.
    "replay_id": N_("Replay"),
    "replay.policy": N_("Política"),
    "replay.weeks": N_("Semanas"),
    "replay.scope_value": N_("%(label)s (%(n)s SKUs)"),
    "replay.weeks_value": N_("%(first)s a %(last)s (%(n)s)"),
    "replay.policy_result": text(
        N_("%(policy)s: nivel de servicio %(fill)s %%, %(units)s u. enviadas"), digits={"fill": 1}
    ),
    "replay.policy_result_no_fill": N_("%(policy)s: nivel de servicio —, %(units)s u. enviadas"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "job_kind",
    {
        "replay": N_("Replay de políticas"),
    },
)
MESSAGES |= vocabulary(
    "audit_action",
    {
        "replay": N_("Replay"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "weeks_done": N_("Semanas simuladas"),
        "cd_supply": N_("Abastecimiento CD"),
        "policies": N_("Políticas"),
        "best_fill": N_("Mejor cumplimiento"),
        "lowest_stock": N_("Menor stock"),
    },
)
