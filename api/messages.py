"""What the API app records (fastdso.messages): its audit actions' labels."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import Template

MESSAGES: dict[str, Template | str] = {
    # Labels of the audit actions this app records (fastdso.labels.label falls back to "<kind>.<code>").
    "audit_action.api_token_create": N_("Token de API creado"),
    "audit_action.api_token_revoke": N_("Token de API revocado"),
}
