"""Every page of the project, in both languages (issue 30).

A staff planner, logged in, GETs every URL pattern of the project (the
resolver is walked, so a new page is crawled without editing this file),
its arguments filled from a small world: a distribution run (approved,
exported and partly shipped), a transfer plan, a forecast, a replay, jobs
with warnings and row errors, audit events, stock, stores and products.
Each page answers 200 (or its expected redirect) in Spanish and in English;
an English page shows none of the Spanish texts of the message catalogues,
and no page shows a number in the other language's format (a decimal point
on a Spanish page, a decimal comma on an English one).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from fastdso.lifecycle import run_transition
from fastdso.messages import LEGACY, catalogue, render
from fastdso.models import AuditEvent, Job
from inventory import queries as stock_queries
from replay.models import ReplayRun
from tests.fastdso.test_i18n_stored import _Null, world  # noqa: F401 (the world fixture)

pytestmark = pytest.mark.django_db

# Patterns not crawled, each with its reason.
SKIPPED = {
    "logout": "POST only; it would end the crawl's session",
    "set_language": "POST only (the crawl sets the language cookie itself)",
    "lifecycle_transition": "POST only (a state change)",
    "lifecycle_export": "POST only (a state change and a download)",
    "favicon": "a redirect to a static file",
    "job_status": "JSON polled by the job page (its texts are checked through the job page)",
    "job_errors_csv": "a CSV download",
    "inventory:health_alerts_export": "a download",
    "inventory:cd_stock_export": "a download",
    "inventory:store_stock_export": "a download",
    "distribution:run_export": "a download",
    "distribution:compare_export": "a download",
    "forecast:run_export": "a download",
    "redistribution:plan_export": "a download",
    "replay:export": "a download",
    "api:schema": "the OpenAPI document (generated, its texts are the API's docstrings)",
    "api:docs": "Swagger UI (a third-party page in English)",
    "inventory:demo_clear": "POST only (clears the demo data)",
    "api:run_status": "POST only (a state change)",
    "api:plan_status": "POST only (a state change)",
    "api:not_found": "the API's catch-all 404 (tests/api/test_messages_api.py)",
}
SKIPPED_PREFIXES = {
    "admin:": "Django's admin (its own translations; staff tooling, not a planner's page)",
}
# API endpoints that only take a POST (uploads, a new forecast): GET answers 405.
POST_ONLY_API = re.compile(r"^api:(upload_\w+|forecast_create)$")


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) of every pattern, namespaced, routes joined."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, prefix + str(pattern.pattern)


def skip_reason(name: str) -> str:
    if name in SKIPPED:
        return SKIPPED[name]
    for prefix, reason in SKIPPED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    if POST_ONLY_API.match(name):
        return "POST only (GET answers 405)"
    return ""


def fill(name: str, route: str, values: dict[str, Any]) -> str:
    """The route with its arguments from the world (a job or a forecast for `pk`)."""

    def argument(match: re.Match) -> str:
        key = match.group(1)
        if key == "pk":
            key = "forecast" if "forecast" in name else "job"
        assert key in values, f"{name}: no value for <{match.group(0)}>"
        return str(values[key])

    path = re.sub(r"<(?:\w+:)?(\w+)>", argument, route)
    assert "^" not in path and "(?" not in path, f"{name}: a regex route the crawl cannot fill"
    return "/" + path


@pytest.fixture
def crawl_world(world, staff_client, tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    """The i18n world, plus a shipped run, a replay and a job with warnings."""
    run, staff = world["run"], staff_client
    user = Job.objects.first().user if Job.objects.filter(user__isnull=False).exists() else None
    for action in ("approve", "export"):
        run_transition(run_id=run.run_id, action=action, user=user)
    lines = stock_queries.source_lines(run.run_id)
    line = lines[lines["reserved"] > 0].iloc[0]
    from inventory.models import Product, Store

    shipments = tmp_path / "envios.csv"
    shipments.write_text(
        "run_id,sku,store,qty,shipped_on\n"
        f"{run.run_id},{Product.objects.get(pk=line['product_id']).sku},"
        f"{Store.objects.get(pk=line['store_id']).name},1,{timezone.localdate()}\n",
        encoding="utf-8",
    )
    call_command("import_shipments", str(shipments), stdout=_Null())
    response = staff.post(
        "/distribution/replay/",
        {
            "scope": "top",
            "top_n": "2",
            "weeks": "3",
            "cd_supply": "1.0",
            "policy_1": "base:model=SMA2",
            "policy_2": "alto:model=SMA3,target_woc=3",
        },
    )
    assert response.status_code == 302, response.content[:500]
    replay = ReplayRun.objects.get()
    assert Job.objects.exclude(warnings=[]).exists(), "no job with warnings: the crawl would prove less"
    assert Job.objects.exclude(errors=[]).exists() and AuditEvent.objects.exists()
    return {
        "run_id": run.run_id,
        "plan_id": world["plan"].plan_id,
        "forecast": world["forecast"].pk,
        "replay_id": replay.replay_id,
        "job": Job.objects.exclude(warnings=[]).latest("pk").pk,
        "sku": world["sku"],
        "jobs": list(Job.objects.values_list("pk", flat=True)),
    }


def spanish_markers() -> set[str]:
    """Distinctive Spanish phrases of every catalogue: the longest literal
    piece of each template (its singular and plural), when English says it otherwise."""
    markers: set[str] = set()
    for code, template in catalogue().items():
        if code == LEGACY:
            continue
        names = set(re.findall(r"%\((\w+)\)", template.text + template.plural))
        params = {name: "¤" for name in names} | ({template.count: 2} if template.plural else {})
        for count in [1, 2] if template.plural else [None]:
            if count is not None:
                params[template.count] = count
            spanish = render({"code": code, "params": params}, "es")
            english = render({"code": code, "params": params}, "en")
            if spanish == english:
                continue
            pieces = [p.strip(" .:;,«»()") for p in re.split(r"¤|\d+", spanish)]
            piece = max(pieces, key=len)
            if len(piece) >= 8 and piece not in english:
                markers.add(piece[:25])
    return markers


def visible_text(page: str) -> str:
    """What a reader sees: no scripts (JSON blobs included), styles, tags or
    attributes; without machine syntax (<code>, an upload page's example file
    rows), whose numbers are written the way a file or a field takes them."""
    page = re.sub(r"<(script|style|code|pre|kbd)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r'<table class="[^"]*example-table.*?</table>', " ", page, flags=re.S)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# A decimal point on a Spanish page: digits '.' then 1-2 or 4+ digits (three is
# Spanish thousands grouping), not part of a dotted chain (versions, IPs), a word (ids)
# or a `key=value` of the replay's policy syntax (what the policy field takes).
POINT_DECIMAL = re.compile(r"(?<![\w.,=])\d+\.(?:\d{1,2}|\d{4,})(?![\w.]|,\d)")
# A decimal comma on an English page: digits ',' then 1-2 digits (three is grouping).
COMMA_DECIMAL = re.compile(r"(?<![\w.,=])\d+,\d{1,2}(?![\w,]|\.\d)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?")


def number_problems(text: str, language: str) -> list[str]:
    text = ISO_DATE.sub(" ", text)
    pattern = POINT_DECIMAL if language == "es" else COMMA_DECIMAL
    return [text[max(0, m.start() - 40) : m.end() + 20].strip() for m in pattern.finditer(text)]


def api_text(response: Any) -> str:
    """The texts an API response shows a reader: its rendered messages and labels."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {"message", "label", "detail"} and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(response.content))
    return "\n".join(found)


def client_in(user: Any, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def crawl_urls(values: dict[str, Any]) -> list[tuple[str, str]]:
    urls: list[tuple[str, str]] = []
    for name, route in url_patterns():
        if skip_reason(name):
            continue
        if name == "job_detail":
            urls += [(name, f"/jobs/{pk}/") for pk in values["jobs"]]
        elif name == "inventory:stock_query":
            urls.append((name, fill(name, route, values) + f"?sku={values['sku']}"))
        elif name == "distribution:compare":  # the form, then a comparison (the run with itself)
            urls += [(name, "/" + route), (name, f"/{route}?a={values['run_id']}&b={values['run_id']}")]
        elif name == "distribution:run_list":  # a filter by state keeps the list's texts
            urls += [(name, "/" + route), (name, f"/{route}?state=shipped")]
        else:
            urls.append((name, fill(name, route, values)))
    return urls


def test_the_crawl_sees_every_pattern(crawl_world):
    """Every pattern is crawled or skipped with a reason, and the crawl covers the replay."""
    names = {name for name, _ in url_patterns()}
    crawled = {name for name, _ in crawl_urls(crawl_world)}
    assert names == crawled | {n for n in names if skip_reason(n)}
    assert {"replay:detail", "replay:home", "api:replay_detail", "audit_list", "forecast:run_detail"} <= crawled
    assert set(SKIPPED) <= names, "a skipped pattern that no longer exists"


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_page_renders_in_both_languages(crawl_world, staff_user, language):
    client = client_in(staff_user, language)
    markers = spanish_markers() if language == "en" else set()
    assert language == "es" or len(markers) > 100, "too few markers: the test would prove little"
    failures: list[str] = []
    for name, url in crawl_urls(crawl_world):
        response = client.get(url)
        if response.status_code == 302 and name in {"login", "home"}:
            continue
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        if response.get("Content-Language") != language:
            failures.append(f"{url}: served in {response.get('Content-Language')!r}, not {language!r}")
        if response["Content-Type"].startswith("application/json"):
            text = api_text(response)
        else:
            text = visible_text(response.content.decode())
        leaked = sorted(marker for marker in markers if marker in text)
        if leaked:
            failures.append(f"{url}: Spanish on the English page: {leaked[:5]}")
        numbers = number_problems(text, language)
        if numbers:
            failures.append(f"{url}: numbers in the wrong format: {numbers[:5]}")
    translation.activate(settings.LANGUAGE_CODE)
    assert failures == [], "\n".join(failures)


def test_every_audit_detail_key_has_a_label(crawl_world):
    """The audit page names each detail by its label, never by the stored key
    (an export's "bytes" and "sha256" were shown raw)."""
    from fastdso.labels import key_label

    keys = {key for details in AuditEvent.objects.values_list("details", flat=True) for key in details}
    assert {"bytes", "sha256"} <= keys  # the world exported a run
    with translation.override("en"):
        assert sorted(key for key in keys if key_label(key) == key) == []
