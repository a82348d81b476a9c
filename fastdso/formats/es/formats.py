"""Spanish number format of FastDSO (the planners' convention, as in Chile):
"39.227" and "2,5". Django's own "es" groups thousands with a non-breaking
space ("39 227"), which planners read as two numbers. Dates and everything
else come from Django's "es" locale."""

from django.conf.locale.es.formats import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
