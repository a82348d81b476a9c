"""Writes of the api app: make and revoke API tokens (each audited).

token, key = api_token_create(user=user, name="ERP")   # `key` is shown once
api_token_revoke(user=user)                              # every token of the user
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from fastdso.audit import audit_record

KEY_PREFIX = "fdso_"
PREFIX_LENGTH = 12


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(*, user: Any, name: str = "", by: Any = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and its key (the only time the key exists in clear)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], prefix=key[:PREFIX_LENGTH], key_hash=key_hash(key)
        )
        audit_record(
            user=by or user,
            action="api_token_create",
            obj=token,
            object_repr=f"{token.prefix}… ({user.get_username()})",
            details={"usuario": user.get_username(), "nombre": token.name},
        )
    return token, key


def api_token_revoke(*, user: Any = None, token_ids: Iterable[int] | None = None, by: Any = None) -> int:
    """Revoke every active token of `user`, or only those of `token_ids` (of that
    user when one is given). Returns how many were revoked; one audit event."""
    if user is None and token_ids is None:
        raise ValueError("api_token_revoke needs a user or token ids")
    with transaction.atomic():
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if user is not None:
            tokens = tokens.filter(user=user)
        if token_ids is not None:
            tokens = tokens.filter(pk__in=list(token_ids))
        rows = list(tokens.values_list("pk", "prefix", "user__username"))
        count = ApiToken.objects.filter(pk__in=[pk for pk, _prefix, _name in rows]).update(revoked_at=timezone.now())
        if count:
            owners = sorted({name for _pk, _prefix, name in rows})
            audit_record(
                user=by or user,
                action="api_token_revoke",
                object_repr=f"{', '.join(owners)}: {', '.join(prefix + '…' for _pk, prefix, _name in rows)}"[:300],
                details={"usuarios": owners, "tokens": count},
            )
    return count


def api_token_touch(token: ApiToken, *, every_seconds: int = 60) -> None:
    """Record a use, at most once a minute (not a write per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= every_seconds:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
