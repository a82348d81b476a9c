"""Signals inventory sends to the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Sent inside the product import's transaction when products get a category
# for the first time or a new one: kwargs `product_ids_by_category`
# (category → product ids). `sales` copies it onto its macro sales rows.
categories_set = Signal()
