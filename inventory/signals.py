"""Signals inventory sends to the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that changes products' categories (an import
# setting a first category, an admin edit, a request file): kwargs
# `product_ids_by_category` (category, or None when cleared → product ids).
# `sales` copies it onto its macro sales rows.
categories_set = Signal()
