"""Every code an engine defines has a label, declared in its app's catalogue (issues 20, 30)."""

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
    missing = sorted(c for c in codes if c not in labels.codes("reason"))
    assert missing == []
    assert all(labels.help_text("reason", c) for c in codes)


def test_every_model_and_job_kind_has_a_label():
    models = {*distribution_engine.MODELS, distribution_engine.COLD_START_MODEL}
    models |= {*forecast_engine.METHODS, *forecast_engine.EVAL_METHODS, forecast_engine.AUTOETS}
    assert sorted(m for m in models if m not in labels.codes("model")) == []
    kinds = {k for k in registered_kinds() if not k.startswith(("test_", "e2e_", "hostile"))}
    assert sorted(k for k in kinds if k not in labels.codes("job_kind")) == []


def test_every_parameter_has_a_label():
    from dataclasses import fields

    names = {f.name for f in fields(redistribution_engine.RedistParams)}
    names |= {f.name for f in fields(distribution_engine.DistributionParams)}
    assert sorted(n for n in names if n not in labels.codes("param")) == []


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


def test_a_word_is_declared_by_the_app_that_owns_it():
    """The core holds no app's reasons: a distribution reason is distribution's, a forecast
    method is forecast's, and each renders with its help in both languages."""
    from distribution.messages import MESSAGES as distribution_words
    from fastdso.messages import MESSAGES as core_words
    from forecast.messages import MESSAGES as forecast_words

    assert "reason.OUT_OF_STOCK_RATE" in distribution_words and "reason.OUT_OF_STOCK_RATE" not in core_words
    assert "model.seasonal" in forecast_words
    assert not [code for code in core_words if code.startswith(("reason.", "model.", "job_kind."))]
    with translation.override("en"):
        assert labels.label("reason", "OUT_OF_STOCK_RATE") == "In-stock rate"
        assert labels.help_text("param", "target_woc").startswith("Weeks of sales")
    with translation.override("es"):
        assert labels.label("reason", "OUT_OF_STOCK_RATE") == "Tasa con stock"
        assert labels.choices("model", ["SMA2"]) == [("SMA2", "SMA2 (2 sem)")]
