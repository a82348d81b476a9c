"""What a planner reads instead of a code.

Codes (reasons, models, job kinds, audit actions, parameter and summary
names) stay what the engines, exports and API use; pages show `label(...)`
and, where a planner needs it, `help_text(...)` (legend, badge tooltip).

The words are declared by the app that owns the code, in its catalogue
(`<app>/messages.py`: `vocabulary("reason", {...})` → "reason.<CODE>"); the
core imports no feature app and holds only the words every app shares. The
test `test_labels.py` checks that every code an engine defines has a label.

What jobs, runs, plans and audit events say is stored as messages (codes
and parameters, fastdso.messages) and rendered when shown; `value_text`
and `key_label` show a stored summary or detail entry.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext

from fastdso.formatting import fmt_number

# Vocabularies whose words live in the apps' catalogues as "<kind>.<code>".
KINDS = ("reason", "model", "job_kind", "audit_action", "param", "value")
# Reasons that name what made them: "CATEGORY:Consolas", "LIKE:A-100", "LIKE_STORE:Tienda 3", "PROMO:Navidad".
NAMED_REASONS = ("CATEGORY", "LIKE", "LIKE_STORE", "PROMO")


def _named_reason(text: str) -> str | None:
    """The code of a reason that names something ("LIKE" of "LIKE:A-100"), else None."""
    code, sep, _rest = text.partition(":")
    return code if sep and code in NAMED_REASONS else None


def codes(kind: str) -> list[str]:
    """The codes of a vocabulary, in the order the apps declare them."""
    return list(_codes()[kind])


@cache
def _codes() -> dict[str, dict[str, None]]:
    from fastdso.messages import catalogue

    found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
    for code in catalogue():
        kind, dot, word = code.partition(".")
        if dot and kind in found:
            found[kind][word] = None
    return found


def label(kind: str, code: Any) -> str:
    """The translated label of `code` in vocabulary `kind` (reason, model,
    job_kind, audit_action, param, value: the catalogue's "<kind>.<code>",
    declared by the app that owns the code); an unknown code is shown as it is."""
    if code is None or code == "":
        return ""
    text = str(code)
    if kind == "life_state":  # a run's or plan's state (fastdso.models.LifeState)
        from fastdso.models import LifeState

        return str(LifeState(text).label) if text in LifeState.values else text
    named = _named_reason(text) if kind == "reason" else None
    if named:
        return f"{_catalogued(f'reason.{named}') or named} · {text.split(':', 1)[1]}"
    return _catalogued(f"{kind}.{text}") or text


def _catalogued(code: str) -> str:
    """An app's own label for a code (its catalogue's "<kind>.<code>"), or ""."""
    from fastdso.messages import catalogue, render

    return render(code) if code in catalogue() else ""


def help_text(kind: str, code: Any) -> str:
    """A short explanation of `code` for a tooltip or legend ("" if none)."""
    from fastdso.messages import catalogue

    text = str(code or "")
    if kind == "reason" and _named_reason(text):
        text = text.split(":", 1)[0]
    template = catalogue().get(f"{kind}.{text}")
    return gettext(template.help) if template and template.help else ""


def choices(kind: str, codes_shown: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a filter's select."""
    return [(code, label(kind, code)) for code in (codes_shown if codes_shown is not None else codes(kind))]


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
    if value in _codes()["value"]:
        return label("value", value)
    if value in _codes()["model"]:  # a forecast's method
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
    if text in _codes()["reason"] or _named_reason(text):
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
