"""The purchase forecast is computed on demand from the macro layer; it owns no tables yet."""
