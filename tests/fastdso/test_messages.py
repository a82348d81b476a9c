"""Messages as data (issue 30): codes and parameters, rendered when shown.

- every code a service, engine or job emits (msg("X", …), Message("X", …),
  an engine's PolicyError("X", …), a progress stage) is in a catalogue;
- no service hands a phrase to JobInputError, FileRejected or RowError;
- render formats numbers for the locale and chooses plurals;
- old prose rows are converted by the data migration (fastdso 0008/0009).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from fastdso.messages import LEGACY, Message, catalogue, msg, render

ROOT = Path(__file__).resolve().parents[2]
APPS = ["fastdso", "inventory", "sales", "distribution", "forecast", "redistribution", "health", "replay", "api"]
EMITTERS = {"msg", "msg_json", "Message", "PolicyError", "WeeklyOverflow", "TransitionRefused"}
REFUSALS = {"JobInputError", "FileRejected", "RowError", "JobFileRefused", "IncompleteWeek", "TransitionRefused"}


def production_files() -> list[Path]:
    files = []
    for app in APPS:
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return files


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def emitted_codes() -> dict[str, list[str]]:
    """code (or a regex, for an f-string code) → where it is emitted."""
    found: dict[str, list[str]] = {}
    for path in production_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name in EMITTERS:
                first = node.args[0]
            elif name == "progress" and len(node.args) > 1:
                first = node.args[1]
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(re.escape(first.value), []).append(where)
            elif isinstance(first, ast.JoinedStr):
                pattern = "".join(
                    re.escape(str(v.value)) if isinstance(v, ast.Constant) else r"[a-z_]+" for v in first.values
                )
                found.setdefault(pattern, []).append(where)
    return found


def test_the_scan_finds_the_emitters():
    codes = emitted_codes()
    assert len(codes) > 150
    for expected in ("jobs\\.internal_error", "stage\\.saving_run", "replay\\.policy_unknown_key"):
        assert expected in codes


def test_every_emitted_code_is_in_a_catalogue():
    known = set(catalogue())
    missing = {
        pattern: places
        for pattern, places in emitted_codes().items()
        if not any(re.fullmatch(pattern, code) for code in known)
    }
    assert missing == {}


def test_no_service_refuses_with_a_phrase():
    """A refusal or a row error carries a code; a phrase would be stored as it was written."""
    phrases = []
    for path in production_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in REFUSALS:
                # RowError(row, column, value, message): only the message is words.
                for arg in node.args[3:4] if _name(node.func) == "RowError" else node.args[:1]:
                    text = arg.value if isinstance(arg, ast.Constant) else None
                    if isinstance(arg, ast.JoinedStr) or (isinstance(text, str) and " " in text):
                        phrases.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert phrases == []


def test_every_app_declares_its_own_codes():
    codes = catalogue()
    for code in ("files.rows_refused", "inventory.category_kept", "sales.audit_promotions", "replay.policy_result"):
        assert code in codes
    assert codes["stage.saving_run"].text == "Guardando el run"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "alto: nivel de servicio 93,8 %, 35.351 u. enviadas"),
        ("en", "alto: service level 93.8 %, 35,351 u. shipped"),
    ],
)
def test_numbers_are_formatted_for_the_viewer(language, expected):
    """The replay summary of the issue: once English-formatted on the Spanish page."""
    assert render(msg("replay.policy_result", policy="alto", fill=93.8, units=35351), language) == expected


def test_plurals_and_ids():
    with translation.override("en"):
        assert render(msg("forecast.unknown_skus", n=1, skus="A")) == "1 SKU is not in the product catalogue: A."
        assert render(msg("forecast.unknown_skus", n=1200, skus="A, B")).startswith("1,200 SKUs are not")
        # An id is shown as written, never grouped.
        assert "#12345" in render(msg("jobs.newer_upload_applied", job=12345))
    with translation.override("es"):
        assert render(msg("files.refused", n=1)) == "El archivo tiene 1 error; no se cargó nada."


def test_messages_are_data():
    message = msg("files.too_long", n=64)
    assert message.as_json() == {"code": "files.too_long", "params": {"n": 64}}
    assert render(message.as_json(), "en") == render(message, "en")
    assert render({"code": LEGACY, "params": {"text": "tal cual"}}, "en") == "tal cual"
    assert render("stage.saving", "en") != "stage.saving"
    assert isinstance(Message("x"), Message) and render("x.unknown") == "x.unknown"


# --- The data migration -----------------------------------------------------------------

OLD_FAILED = "El archivo tiene 3 error(es); no se cargó nada. Corrija las filas indicadas."


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_old_prose_rows():
    executor = MigrationExecutor(connection)
    start = [("fastdso", "0007_id_sequence")]
    executor.migrate(start)
    old = executor.loader.project_state(start).apps
    OldJob, OldEvent = old.get_model("fastdso", "Job"), old.get_model("fastdso", "AuditEvent")
    failed = OldJob.objects.create(
        kind="macro_sales_import",
        status="failed",
        stage="Fallida",
        message=OLD_FAILED,
        errors=[{"row": 2, "column": "date", "value": "x", "message": "fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)"}],
        warnings=["SKU 001: el archivo dice categoría «Audio», se mantiene «Video»."],
        result=[["Filas leídas", 10], ["Modo", "replace_range"]],
    )
    replay = OldJob.objects.create(
        kind="replay",
        status="done",
        stage="Terminada",
        result=[
            ["Semanas", "2024-01-01 a 2024-02-26 (8)"],
            ["Política alto", "nivel de servicio 93.8 %, 35351 u. enviadas"],
        ],
        warnings=["una frase que nadie registró"],
    )
    event = OldEvent.objects.create(
        action="job_failed", object_repr="Despachos: envios.csv", details={"errores": 3, "mensaje": OLD_FAILED}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from fastdso.models import AuditEvent, Job

    job = Job.objects.get(pk=failed.pk)
    assert job.stage == "stage.failed"
    assert job.message == {"code": "files.rows_refused", "params": {"n": 3}}
    assert job.errors[0]["message"] == {"code": "files.bad_date", "params": {}}
    assert job.warnings == [
        {"code": "inventory.category_kept", "params": {"sku": "001", "new": "Audio", "old": "Video"}}
    ]
    assert job.summary_items == [("rows_read", 10), ("mode", "replace_range")]
    assert render(job.message, "en") == "The file has 3 errors; nothing was loaded. Fix the rows shown."

    replayed = Job.objects.get(pk=replay.pk)
    policy = dict(replayed.summary_items)["replay.policy"]
    assert policy == {"code": "replay.policy_result", "params": {"policy": "alto", "fill": 93.8, "units": 35351}}
    assert render(policy, "es") == "alto: nivel de servicio 93,8 %, 35.351 u. enviadas"
    assert replayed.warnings == [{"code": LEGACY, "params": {"text": "una frase que nadie registró"}}]

    audited = AuditEvent.objects.get(pk=event.pk)
    assert audited.details == {"errors": 3, "message": {"code": "files.rows_refused", "params": {"n": 3}}}
    assert audited.object_label == {"code": "inventory.audit_shipments", "params": {"file": "envios.csv"}}
    assert render(audited.object_label, "en") != "Despachos: envios.csv"


def test_engine_and_lifecycle_refusals_are_codes_rendered_for_the_reader():
    """DistributionParams (through a replay policy) and the lifecycle refuse
    with codes; the reader sees them in their language."""
    from distribution.engine import DistributionParams, ParamsError
    from fastdso.lifecycle import TransitionRefused, next_state
    from replay.engine import PolicyError, policy_parse

    with pytest.raises(PolicyError) as policy:
        policy_parse("alto:target_woc=0")
    assert render(policy.value.message, "es") == (
        "Política «alto»: Parámetros inválidos: la cobertura objetivo debe ser mayor que 0."
    )
    assert render(policy.value.message, "en") == (
        "Policy “alto”: Invalid parameters: the target cover must be greater than 0."
    )
    with pytest.raises(ParamsError) as params:
        DistributionParams(rules="v9", lookback_weeks=10**9)
    assert [p["code"] for p in params.value.problems] == [
        "distribution.param_unknown_choice",
        "distribution.param_above_max",
    ]
    assert render(params.value.message, "en") == (
        "Invalid parameters: unknown rules “v9” (use v3, v2), lookback_weeks: “1e+09” out of range (maximum 104)."
    )
    with pytest.raises(TransitionRefused) as refused:
        next_state("draft", "export", object_id="DR-1")
    assert refused.value.code == "lifecycle.refused_from_one"
    with translation.override("en"):
        assert (
            str(refused.value)
            == "Cannot mark as exported DR-1: it is “Draft”; only possible from “Approved”. Nothing changed."
        )
    with translation.override("es"):
        assert str(refused.value) == (
            "No se puede marcar como exportado DR-1: está «Borrador»; solo se puede desde «Aprobado». Nada cambió."
        )
