"""Every code an engine defines has a label in fastdso.labels (issue 20)."""

from __future__ import annotations

import pytest
from django.utils import translation

from distribution import engine as distribution_engine
from fastdso import labels
from fastdso.jobs import registered_kinds
from forecast import engine as forecast_engine
from health import engine as health
from redistribution import engine as redistribution_engine


def _codes(module, prefixes: tuple[str, ...]) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.isupper()
        and isinstance(value, str)
        and name.startswith(prefixes)
        and value.isupper()
        and ":" not in value
    }


def test_every_reason_code_has_a_label_and_help():
    codes = (
        set(distribution_engine.EXCEPTION_REASONS)
        | {distribution_engine.SALES_RATE, distribution_engine.CD_LIMITED, distribution_engine.CD_EXHAUSTED}
        | {distribution_engine.NO_CD_STOCK}
        | _codes(redistribution_engine, ("REASON_", "SHORT_"))
        | {forecast_engine.MACRO, forecast_engine.CATEGORY_PROXY, forecast_engine.NO_HISTORY}
        | {forecast_engine.NET_SALES_NOT_POSITIVE, forecast_engine.NO_CATEGORY_SALES, forecast_engine.END_OF_LIFE}
        | {health.OUT_OF_STOCK_WITH_DEMAND, health.BELOW_MIN_WOC, health.ABOVE_MAX_WOC}
    )
    missing = sorted(c for c in codes if c not in labels.REASONS)
    assert missing == []
    assert all(labels.help_text("reason", c) for c in codes)


def test_every_model_and_job_kind_has_a_label():
    models = {*distribution_engine.MODELS, distribution_engine.COLD_START_MODEL}
    models |= {*forecast_engine.METHODS, *forecast_engine.EVAL_METHODS, forecast_engine.AUTOETS}
    assert sorted(m for m in models if m not in labels.MODELS) == []
    kinds = {k for k in registered_kinds() if not k.startswith(("test_", "e2e_", "hostile"))}
    assert sorted(k for k in kinds if k not in labels.JOB_KINDS) == []


def test_every_parameter_has_a_label():
    from dataclasses import fields

    names = {f.name for f in fields(redistribution_engine.RedistParams)}
    names |= {f.name for f in fields(distribution_engine.DistributionParams)}
    assert sorted(n for n in names if n not in labels.PARAMS) == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("es", "Arranque en frío · Consolas"), ("en", "Cold start · Consolas")],
)
def test_cold_start_reason_names_its_category(lang, expected):
    with translation.override(lang):
        assert labels.label("reason", "CATEGORY:Consolas") == expected


def test_unknown_codes_show_as_they_are():
    assert labels.label("reason", "SOMETHING_NEW") == "SOMETHING_NEW"
    assert labels.help_text("reason", "SOMETHING_NEW") == ""
