"""English number format of FastDSO: "39,227" and "2.5" (Django's "en")."""

from django.conf.locale.en.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
