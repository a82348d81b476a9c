"""Line explanations of a distribution run, rendered when shown (SPEC §5.5, issue 20).

    texts = line_explanations(lines, run.params)   # a Series of text, the active language

A line stores numbers, not text: its rate, stock, quantities and CD priority,
the numbers of its reason (`engine.EXPLAIN_COLUMNS`) and what other runs held
(`commitments.NOTE_COLUMNS`). This module says them as the sentence a planner
recomputes by hand, in the viewer's language, every number through
`fastdso.formatting` ("5,5" in Spanish, "5.5" in English, half-up). Rates and
needs are recomputed with the engine's own functions from the stored
integers, so the text says exactly what the engine did.

Vectorised (arrays of text, one pass per piece of sentence): a page renders
its 25 lines, an export its 300,000, with this one code. Lines of runs made
before explanations were rendered keep their stored text, returned as is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from distribution import engine, rules
from distribution.commitments import NOTE_COLUMNS
from distribution.engine import DistributionParams
from fastdso.formatting import fmt_number, fmt_number_many, fmt_trimmed, fmt_trimmed_many, round_half_up

# What the renderer reads of a line (attribute names: `store_id`, not `store`).
# The engine's line columns from `category` to `reason`, and the stored explanation.
_FIRST, _LAST = engine.LINE_COLUMNS.index("category"), engine.LINE_COLUMNS.index("reason")
BASE_FIELDS = ["store_id", *engine.LINE_COLUMNS[_FIRST : _LAST + 1], "explanation"]
FIELDS = [*BASE_FIELDS, *NOTE_COLUMNS, *engine.EXPLAIN_COLUMNS, *engine.EXPLAIN_FLOATS, *engine.EXPLAIN_TEXTS]
_FIELD = re.compile(r"%\((\w+)\)s")
Text = np.ndarray  # an array of str (dtype object)


def fill(template: str, n: int, **values: Any) -> Text:
    """`template % values` for n lines at once: each value is an array of n
    texts or one text. The template is a translated msgid with named fields,
    so a translation may reorder them."""
    parts = _FIELD.split(template)
    pieces: list[Any] = []  # texts and arrays, in order; one join per line
    for i, part in enumerate(parts):
        value = values[part] if i % 2 else part
        if isinstance(value, np.ndarray):
            pieces.append(value)
        elif pieces and isinstance(pieces[-1], str):
            pieces[-1] += str(value)
        elif str(value):
            pieces.append(str(value))
    columns = [p if isinstance(p, np.ndarray) else itertools.repeat(p, n) for p in pieces]
    out = np.empty(n, dtype=object)
    out[:] = ["".join(row) for row in zip(*columns, strict=True)] if columns else ""
    return out


def _where(mask: np.ndarray, text: Text | str, n: int) -> Text:
    """`text` where mask, "" elsewhere."""
    out = np.full(n, "", dtype=object)
    out[mask] = text[mask] if isinstance(text, np.ndarray) else text
    return out


def param_number(value: float) -> str:
    """A parameter in weeks: at least one decimal ("2,0"), at most three."""
    rounded = round_half_up(value, 3)
    if rounded is not None and rounded == rounded.to_integral_value():
        return fmt_number(value, 1)
    return fmt_trimmed(value, 3)


def ints(values: Any) -> Text:
    return fmt_number_many(np.asarray(values, dtype="int64"))


def line_explanations(lines: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
    """One explanation per line (`FIELDS` columns; missing number columns count
    0), for the lines of one run with its `params`. A line with stored text
    (a run made before) keeps it."""
    # Plain arrays of str objects throughout: pandas' string columns convert
    # on every assignment, which cost more than the rendering at 300,000 lines.
    out = np.full(len(lines), "", dtype=object)
    if "explanation" in lines:
        out[:] = lines["explanation"].fillna("").to_numpy(dtype=object)
    todo = out == ""
    if todo.any():
        frame = lines[todo]
        for column in FIELDS:
            if column not in frame:
                frame = frame.assign(**{column: "" if column.endswith("_by") or column == "like_name" else 0})
        out[todo] = _render(frame, DistributionParams.from_dict(params))
    return pd.Series(out, index=lines.index, dtype=object)


def explain_records(records: Iterable[Any], params: Mapping[str, Any]) -> None:
    """Set `explanation_text` on each DistributionLine of a page (one call per page)."""
    records = list(records)
    if not records:
        return
    frame = pd.DataFrame({name: [getattr(r, name) for r in records] for name in FIELDS})
    frame["store_id"] = frame["store_id"].astype("Int64")
    for record, text in zip(records, line_explanations(frame, params), strict=True):
        record.explanation_text = text


def _render(frame: pd.DataFrame, params: DistributionParams) -> Text:
    store_line = frame["store_id"].notna().to_numpy()
    texts = np.full(len(frame), "", dtype=object)
    if store_line.any():
        texts[store_line] = _store_lines(frame[store_line], params)
    if (~store_line).any():
        texts[~store_line] = _exception_rows(frame[~store_line], params)
    return texts


# --- A store line: rate → need → stock → packs → CD → what others held --------------


def _store_lines(f: pd.DataFrame, params: DistributionParams) -> Text:
    n = len(f)
    model = f["model_name"].to_numpy(dtype=object)
    parts = {
        engine.COLD_START_MODEL: _cold_part,
        engine.COLD_START_LIKE_MODEL: _like_part,
        engine.NEW_STORE_MODEL: _new_store_part,
    }
    text = np.full(n, "", dtype=object)
    base = np.zeros(n, dtype="int64")
    sales = ~np.isin(model, list(parts))
    if sales.any():
        text[sales], base[sales] = _sales_part(f[sales], params)
    for name, part in parts.items():
        mask = model == name
        if mask.any():
            text[mask], base[mask] = part(f[mask], params)
    stock = f["store_stock"].to_numpy("int64")
    unrounded = np.maximum(base - np.maximum(stock, 0), 0)
    stock_shown = ints(np.maximum(stock, 0))
    negative = stock < 0
    if negative.any():
        stock_shown[negative] = fill(
            _("0 (stock %(stock)s se toma 0)"), int(negative.sum()), stock=ints(stock[negative])
        )
    stock_part = fill(_(" − stock %(stock)s = %(qty)s"), n, stock=stock_shown, qty=ints(unrounded))
    exceeds = (f["reason"] == engine.PACK_EXCEEDS_COVER).to_numpy()
    cd = _cd_part(f, params)
    if exceeds.any():
        cd[exceeds] = _pack_exceeds_part(f[exceeds], params)
    return join(text, stock_part, _pack_part(f, unrounded, params, ~exceeds), cd, _held_part(f))


def pack_weeks(f: pd.DataFrame, params: DistributionParams) -> tuple[np.ndarray, Text]:
    """The weeks of cover a line's pack may hold (§5.4a) and their text: a launch
    line's (cold start, like item, an opening store's line from one; an exception
    row of a SKU without sales) LAUNCH_PACK_FACTOR × max_pack_woc, else max_pack_woc."""
    model = f["model_name"].astype(str).to_numpy(dtype=object) if "model_name" in f else np.full(len(f), "")
    no_sales = f["weeks_with_sales"].to_numpy("int64") <= 0
    launch = np.isin(model, engine.COLD_MODELS) | (np.isin(model, [engine.NEW_STORE_MODEL, ""]) & no_sales)
    longer = rules.LAUNCH_PACK_FACTOR * params.max_pack_woc
    weeks = np.where(launch, longer, params.max_pack_woc)
    text = np.where(launch, param_number(longer), param_number(params.max_pack_woc)).astype(object)
    return weeks, text


def _pack_exceeds_part(f: pd.DataFrame, params: DistributionParams) -> Text:
    """§5.4a: an empty store left with nothing because one pack exceeds the cover cap."""
    rate = f["rate"].to_numpy("float64")
    weeks, weeks_text = pack_weeks(f, params)
    return fill(
        _("; una caja de %(pack)s u supera %(woc)s sem × %(rate)s/sem = %(cap)s u: sin línea (tienda sin stock)"),
        len(f),
        pack=ints(f["pack_size"]),
        woc=weeks_text,
        rate=fmt_trimmed_many(rate, 3),
        cap=fmt_trimmed_many(weeks * rate, 3),
    )


def join(*parts: Text | None) -> Text:
    """The parts of each line's sentence, one join per line (None: nothing to say)."""
    columns = [part for part in parts if part is not None]
    out = np.empty(len(columns[0]), dtype=object)
    out[:] = ["".join(row) for row in zip(*columns, strict=True)]
    return out


def _rounded_note(product: np.ndarray, need: np.ndarray) -> Text:
    """ " → 3" where the need is the product rounded up."""
    n = len(need)
    return _where(product != need, fill(" → %(need)s", n, need=ints(need)), n)


def _sales_part(s: pd.DataFrame, params: DistributionParams) -> tuple[Text, np.ndarray]:
    """SMA: the last k weeks' units (oldest first) / k × target cover = need;
    v3: the in-stock rate of a store that ran out, a promotion ahead, the display minimum."""
    n, k = len(s), params.window
    window = s["window_weeks"].to_numpy("int64")
    weeks_used = np.where(window > 0, window, k)
    weeks = [s[f"recent_{i}"].to_numpy("int64") for i in range(k, 0, -1)]
    terms = []
    for units in weeks:
        term = ints(units)
        term[units < 0] = "(" + term[units < 0] + ")"
        terms.append(term)
    joined = terms[0]
    for term in terms[1:]:
        joined = joined + "+" + term
    if k > 1:
        joined = "(" + joined + ")"
    units_sum = np.sum(weeks, axis=0)
    sma = np.maximum(units_sum / weeks_used, 0.0)
    in_stock_weeks = s["in_stock_weeks"].to_numpy("int64")
    out_of_stock = in_stock_weeks > 0
    rate = np.where(out_of_stock, s["in_stock_units"].to_numpy("int64") / np.maximum(in_stock_weeks, 1), sma)
    product = np.round(params.target_woc * rate, 6)
    need = engine.ceil6(params.target_woc * rate)
    in_stock = fill(
        _("; sin stock: %(units)s u en %(weeks)s sem hasta la última venta = %(rate)s/sem"),
        n,
        units=ints(s["in_stock_units"]),
        weeks=ints(in_stock_weeks),
        rate=fmt_trimmed_many(rate, 3),
    )
    text = fill(
        _(
            "%(model)s (venta en %(weeks)s de %(lookback)s sem, mín %(min_weeks)s): "
            "%(units)s/%(k)s = %(rate)s/sem × %(woc)s sem = %(product)s%(rounded)s"
        ),
        n,
        model=s["model_name"].astype(str).to_numpy(dtype=object),
        weeks=ints(s["weeks_with_sales"]),
        lookback=fmt_number(params.lookback_weeks),
        min_weeks=fmt_number(params.min_weeks),
        units=joined + _where(window > 0, _(" (semanas sin promoción)"), n),
        k=ints(weeks_used),
        rate=fmt_trimmed_many(units_sum / weeks_used, 3) + _where(out_of_stock, in_stock, n),
        woc=param_number(params.target_woc),
        product=fmt_trimmed_many(product, 3),
        rounded=_rounded_note(product, need),
    )
    text, need = _promotion_note(s, text, rate, need, params)
    return _display_note(s, text, need)


def _promotion_note(
    s: pd.DataFrame, text: Text, rate: np.ndarray, need: np.ndarray, params: DistributionParams
) -> tuple[Text, np.ndarray]:
    """§4.6: promoted weeks ahead raise the target by the category's lift."""
    n = len(s)
    weeks = s["promo_weeks"].to_numpy("int64")
    promoted = weeks > 0
    if not promoted.any():
        return text, need
    lift = s["promo_lift"].to_numpy("float64")
    cover = np.round(params.target_woc + weeks * (lift - 1.0), 6)
    lifted = engine.ceil6(rate * cover)
    note = fill(
        _("; promoción por delante (%(weeks)s sem, alza %(lift)s): %(rate)s/sem × %(cover)s sem = %(need)s"),
        n,
        weeks=ints(weeks),
        lift=fmt_trimmed_many(lift, 3),
        rate=fmt_trimmed_many(rate, 3),
        cover=fmt_trimmed_many(cover, 3),
        need=ints(lifted),
    )
    return text + _where(promoted, note, n), np.where(promoted, lifted, need)


def _display_note(s: pd.DataFrame, text: Text, need: np.ndarray) -> tuple[Text, np.ndarray]:
    """§5.2: the display minimum where it raised the target."""
    minimum = s["display_min"].to_numpy("int64")
    raised = minimum > need
    if not raised.any():
        return text, need
    note = fill(_("; exhibición mínima %(min)s → %(min)s"), len(s), min=ints(minimum))
    return text + _where(raised, note, len(s)), np.maximum(need, minimum)


def _like_part(c: pd.DataFrame, params: DistributionParams) -> tuple[Text, np.ndarray]:
    """§5.3 like item: the like SKU's units / lookback × launch factor × cold-start cover."""
    n = len(c)
    units = c["category_units"].to_numpy("int64")
    factor = c["factor"].to_numpy("float64")
    # Promoted weeks skipped (§4.6): the like SKU's non-promoted weeks (window_weeks; 0 = the lookback).
    skipped = c["window_weeks"].to_numpy("int64")
    weeks = np.where(skipped > 0, skipped, params.lookback_weeks)
    like_rate = np.maximum(units, 0) / weeks
    rate = factor * like_rate
    product = np.round(params.cold_start_target_woc * rate, 6)
    need = engine.ceil6(params.cold_start_target_woc * rate)
    top = c["category_rank"].to_numpy("int64") <= params.cold_start_top_n
    base = np.where(top, np.maximum(need, params.cold_start_min_fill), need)
    text = fill(
        _(
            "Lanzamiento como «%(like)s» (tienda %(rank)s de %(stores)s): %(units)s u / %(lookback)s sem = "
            "%(like_rate)s/sem × factor %(factor)s = %(rate)s/sem × %(woc)s sem = %(product)s%(rounded)s"
        ),
        n,
        like=c["like_name"].fillna("").astype(str).to_numpy(dtype=object),
        rank=ints(c["category_rank"]),
        stores=ints(c["category_stores"]),
        units=ints(units),
        lookback=ints(weeks),
        like_rate=fmt_trimmed_many(like_rate, 3),
        factor=fmt_trimmed_many(factor, 3),
        rate=fmt_trimmed_many(rate, 3),
        woc=param_number(params.cold_start_target_woc),
        product=fmt_trimmed_many(product, 3),
        rounded=_rounded_note(product, need),
    )
    promo_note = fill(
        _("; la tasa del similar salta sus semanas de promoción (%(weeks)s de %(lookback)s sin promoción)"),
        n,
        weeks=ints(weeks),
        lookback=fmt_number(params.lookback_weeks),
    )
    text = text + _where(skipped > 0, promo_note, n)
    fill_note = fill(
        _("; top %(top_n)s: máx(mín %(min_fill)s, %(need)s) = %(base)s"),
        n,
        top_n=fmt_number(params.cold_start_top_n),
        min_fill=fmt_number(params.cold_start_min_fill),
        need=ints(need),
        base=ints(base),
    )
    return text + _where(top, fill_note, n), base


def _new_store_part(c: pd.DataFrame, params: DistributionParams) -> tuple[Text, np.ndarray]:
    """§5.3 opening store: the like store's rate × size factor × cover."""
    n = len(c)
    rate = c["rate"].to_numpy("float64")
    factor = c["factor"].to_numpy("float64")
    from_sales = c["weeks_with_sales"].to_numpy("int64") > 0
    woc = np.where(from_sales, params.target_woc, params.cold_start_target_woc)
    product = np.round(woc * rate, 6)
    need = engine.ceil6(woc * rate)
    like_rate = np.where(factor > 0, rate / np.where(factor > 0, factor, 1.0), 0.0)
    text = fill(
        _(
            "Tienda nueva como «%(like)s»: %(like_rate)s/sem × tamaño %(factor)s = %(rate)s/sem × %(woc)s sem = "
            "%(product)s%(rounded)s"
        ),
        n,
        like=c["like_name"].fillna("").astype(str).to_numpy(dtype=object),
        like_rate=fmt_trimmed_many(like_rate, 3),
        factor=fmt_trimmed_many(factor, 3),
        rate=fmt_trimmed_many(rate, 3),
        woc=np.array([param_number(w) for w in woc], dtype=object),
        product=fmt_trimmed_many(product, 3),
        rounded=_rounded_note(product, need),
    )
    minimum = np.where(from_sales, c["display_min"].to_numpy("int64"), params.cold_start_min_fill)
    raised = minimum > need
    note = fill(_("; mínimo %(min)s"), n, min=ints(minimum))
    return text + _where(raised, note, n), np.maximum(need, minimum)


def _cold_part(c: pd.DataFrame, params: DistributionParams) -> tuple[Text, np.ndarray]:
    """Cold start: the category's units at the store / window (÷ its selling SKUs)
    × cold-start cover = need; at least the minimum fill."""
    n = len(c)
    units = c["category_units"].to_numpy("int64")
    skus = c["category_skus"].to_numpy("int64")
    weekly, rate = engine.cold_rate(units, skus, params)
    product = np.round(params.cold_start_target_woc * rate, 6)
    need = engine.ceil6(params.cold_start_target_woc * rate)
    base = np.maximum(need, params.cold_start_min_fill)
    if params.cold_start_basis == engine.BASIS_PER_SKU:
        basis = fill(
            _("%(weekly)s/sem ÷ SKUs con venta: %(skus)s = %(rate)s/sem por SKU (base por SKU)"),
            n,
            weekly=fmt_trimmed_many(weekly, 3),
            skus=ints(np.maximum(skus, 1)),
            rate=fmt_trimmed_many(rate, 3),
        )
    else:
        basis = fill(_("%(weekly)s/sem (base categoría: la categoría entera)"), n, weekly=fmt_trimmed_many(weekly, 3))
    text = fill(
        _(
            "Arranque en frío, categoría «%(category)s» (tienda %(rank)s de %(stores)s del top %(top_n)s): "
            "%(units)s u / %(window)s sem = %(basis)s × %(woc)s sem = %(product)s%(rounded)s; "
            "máx(mín %(min_fill)s, %(need)s) = %(base)s"
        ),
        n,
        category=c["category"].fillna("").astype(str).to_numpy(dtype=object),
        rank=ints(c["category_rank"]),
        stores=ints(c["category_stores"]),
        top_n=fmt_number(params.cold_start_top_n),
        units=ints(units),
        window=fmt_number(params.category_window_weeks),
        basis=basis,
        woc=param_number(params.cold_start_target_woc),
        product=fmt_trimmed_many(product, 3),
        rounded=_rounded_note(product, need),
        min_fill=fmt_number(params.cold_start_min_fill),
        need=ints(need),
        base=ints(base),
    )
    return text, base


def _pack_part(
    f: pd.DataFrame, unrounded: np.ndarray, params: DistributionParams, shown: np.ndarray | None = None
) -> Text | None:
    """Packs (SPEC §5.4a), said only where a pack holds more than one unit."""
    n = len(f)
    pack = f["pack_size"].to_numpy("int64")
    boxed = pack > 1 if shown is None else (pack > 1) & shown
    if not boxed.any():
        return None
    if not params.round_to_pack:
        return _where(boxed, fill(_("; caja de %(pack)s u, sin redondeo a cajas"), n, pack=ints(pack)), n)
    suggested = f["suggested_qty"].to_numpy("int64")
    text = fill(
        _("; caja de %(pack)s u: %(qty)s → %(packs)s caja(s) = %(suggested)s"),
        n,
        pack=ints(pack),
        qty=ints(unrounded),
        packs=ints(suggested // np.maximum(pack, 1)),
        suggested=ints(suggested),
    )
    if params.pack_rule == engine.PACK_COVER_CAPPED:
        rate = f["rate"].to_numpy("float64")
        weeks, weeks_text = pack_weeks(f, params)
        text = text + fill(
            _(" (tope %(woc)s sem × %(rate)s/sem = %(cap)s u)"),
            n,
            woc=weeks_text,
            rate=fmt_trimmed_many(rate, 3),
            cap=fmt_trimmed_many(weeks * rate, 3),
        )
    return _where(boxed, text, n)


def _cd_part(f: pd.DataFrame, params: DistributionParams) -> Text:
    """CD limiting (SPEC §5.4): the rule that applied, with its numbers."""
    n = len(f)
    allocated = f["allocated_qty"].to_numpy("int64")
    if not params.limit_by_cd:
        return fill(_("; CD: sin límite → %(allocated)s"), n, allocated=ints(allocated))
    out = np.full(n, _("; CD: sin stock → 0"), dtype=object)
    stocked = f["cd_stock"].to_numpy("int64") > 0
    if stocked.any():
        rules = {engine.CD_FAIR_SHARE: _fair_share_part, engine.CD_EQUAL_COVER: _equal_cover_part}
        out[stocked] = rules.get(params.cd_rule, _priority_part)(f[stocked], params)
    return out


def _equal_cover_part(f: pd.DataFrame, params: DistributionParams) -> Text:
    """§5.4 equal_cover: enough for all, or empty shelves first and then equal cover."""
    n = len(f)
    cd, allocated = f["cd_stock"].to_numpy("int64"), f["allocated_qty"].to_numpy("int64")
    short = cd < f["cd_wanted"].to_numpy("int64")
    out = fill(
        _("; CD cobertura igual: alcanza para todas (%(cd)s u) → %(allocated)s"),
        n,
        cd=ints(cd),
        allocated=ints(allocated),
    )
    if not short.any():
        return out
    stock = f["store_stock"].to_numpy("int64")
    rate = f["rate"].to_numpy("float64")
    cover = np.where(rate > 0, (stock + allocated) / np.where(rate > 0, rate, 1.0), 0.0)
    empty = _where(stock <= 0, _(", estante vacío primero"), n)
    text = fill(
        _(
            "; CD corto (%(cd)s u para %(wanted)s sugeridas), cobertura igual%(in_packs)s%(empty)s: "
            "%(allocated)s → (%(stock)s + %(allocated)s) / %(rate)s/sem = %(cover)s sem"
        ),
        n,
        cd=ints(cd),
        wanted=ints(f["cd_wanted"]),
        in_packs=_in_packs(_cd_pack(f, params)),
        empty=empty,
        allocated=ints(allocated),
        stock=ints(stock),
        rate=fmt_trimmed_many(rate, 3),
        cover=fmt_trimmed_many(cover, 3),
    )
    out[short] = text[short]
    return out


def _cd_pack(f: pd.DataFrame, params: DistributionParams) -> np.ndarray:
    pack = np.maximum(f["pack_size"].to_numpy("int64"), 1)
    return pack if params.round_to_pack else np.ones_like(pack)


def _in_packs(pack: np.ndarray) -> Text:
    return _where(pack > 1, fill(_(" en cajas de %(pack)s"), len(pack), pack=ints(pack)), len(pack))


def _priority_part(f: pd.DataFrame, params: DistributionParams) -> Text:
    n = len(f)
    cd, available = f["cd_stock"].to_numpy("int64"), f["cd_available"].to_numpy("int64")
    text = fill(
        _("; CD por prioridad%(in_packs)s: %(allocated)s de %(available)s disponibles"),
        n,
        in_packs=_in_packs(_cd_pack(f, params)),
        allocated=ints(f["allocated_qty"]),
        available=ints(available),
    )
    later = fill(_(" (stock CD %(cd)s, prioridad %(priority)s)"), n, cd=ints(cd), priority=ints(f["priority"]))
    return text + _where(available != cd, later, n)


def _fair_share_part(f: pd.DataFrame, params: DistributionParams) -> Text:
    """Enough for all, or shares in proportion to the suggestions (in packs),
    the leftovers one each to the largest remainders."""
    n = len(f)
    cd, allocated = f["cd_stock"].to_numpy("int64"), f["allocated_qty"].to_numpy("int64")
    short = cd < f["cd_wanted"].to_numpy("int64")
    out = fill(
        _("; CD reparto proporcional: alcanza para todas (%(cd)s u) → %(allocated)s"),
        n,
        cd=ints(cd),
        allocated=ints(allocated),
    )
    if not short.any():
        return out
    pack = _cd_pack(f, params)
    whole = cd // pack
    wanted = f["suggested_qty"].to_numpy("int64") // pack
    total = np.maximum(f["cd_wanted"].to_numpy("int64") // pack, 1)
    share = whole * wanted // total
    text = fill(
        _(
            "; CD reparto proporcional%(in_packs)s: %(whole)s%(boxes)s × %(wanted)s / %(total)s = %(exact)s "
            "→ %(share)s%(extra)s = %(allocated)s u"
        ),
        n,
        in_packs=_in_packs(pack),
        whole=ints(whole),
        boxes=_where(pack > 1, _(" cajas"), n),
        wanted=ints(wanted),
        total=ints(total),
        exact=fmt_trimmed_many(whole * wanted / total, 3),
        share=ints(share),
        extra=_where(allocated // pack > share, _(" +1 por mayor resto"), n),
        allocated=ints(allocated),
    )
    out[short] = text[short]
    return out


def _held_part(f: pd.DataFrame) -> Text | None:
    """SPEC §5.7: CD units other runs held, units on their way to the store."""
    n = len(f)
    reserved = f["cd_reserved"].to_numpy("int64")
    transit = f["in_transit"].to_numpy("int64")
    if not (reserved.any() or transit.any()):
        return None
    out = np.full(n, "", dtype=object)
    if (reserved != 0).any():
        snapshot = f["cd_snapshot"].to_numpy("int64")
        text = fill(
            _("; CD %(snapshot)s − %(reserved)s reservadas por %(runs)s = %(net)s"),
            n,
            snapshot=ints(snapshot),
            reserved=ints(reserved),
            runs=f["reserved_by"].fillna("").astype(str).to_numpy(dtype=object),
            net=ints(snapshot - reserved),
        )
        out = out + _where(reserved != 0, text, n)
    if (transit != 0).any():
        stock = f["store_stock"].to_numpy("int64")
        values = {
            "snapshot": ints(stock - transit),
            "units": ints(np.abs(transit)),
            "sources": f["in_transit_by"].fillna("").astype(str).to_numpy(dtype=object),
            "total": ints(stock),
        }
        coming = fill(_("; stock tienda %(snapshot)s + %(units)s en tránsito por %(sources)s = %(total)s"), n, **values)
        going = fill(
            _("; stock tienda %(snapshot)s − %(units)s comprometidas por %(sources)s = %(total)s"), n, **values
        )
        out = out + _where(transit > 0, coming, n) + _where(transit < 0, going, n)
    return out


# --- An exception row: why the SKU got no line -------------------------------------


def _exception_rows(e: pd.DataFrame, params: DistributionParams) -> Text:
    n = len(e)
    reason = e["reason"].astype(str).to_numpy(dtype=object)
    lookback = fmt_number(params.lookback_weeks)
    stores = ints(e["candidate_stores"])
    cold = e["weeks_with_sales"].to_numpy("int64") == 0
    cover = fill(_("%(woc)s sem de cobertura"), n, woc=param_number(params.target_woc))
    texts = {
        engine.NO_CATEGORY: fill(
            _(
                "Sin ventas en las últimas %(lookback)s semanas y sin categoría (ni en el producto ni en la "
                "solicitud): no se puede hacer arranque en frío. Asigne una categoría y vuelva a generar."
            ),
            n,
            lookback=lookback,
        ),
        engine.NO_CATEGORY_SALES: fill(
            _(
                "Sin ventas en las últimas %(lookback)s semanas; la categoría «%(category)s» no tiene ventas en "
                "ninguna tienda en las últimas %(window)s semanas."
            ),
            n,
            lookback=lookback,
            category=e["category"].fillna("").astype(str).to_numpy(dtype=object),
            window=fmt_number(params.category_window_weeks),
        ),
        engine.SALES_BELOW_MIN_WEEKS: fill(
            _(
                "Tiene ventas, pero ninguna tienda llega a %(min_weeks)s semanas con venta en %(lookback)s "
                "(la mejor tiene %(best)s)."
            ),
            n,
            min_weeks=fmt_number(params.min_weeks),
            lookback=lookback,
            best=ints(e["weeks_with_sales"]),
        ),
        engine.NO_RECENT_SALES: fill(
            ngettext(
                "%(model)s: la última semana suma 0 unidades o menos (devoluciones) en las tiendas "
                "que califican (%(stores)s): tasa 0, no hay necesidad.",
                "%(model)s: las últimas %(k)s semanas suman 0 unidades o menos (devoluciones) en las tiendas "
                "que califican (%(stores)s): tasa 0, no hay necesidad.",
                params.window,
            ),
            n,
            model=params.model,
            k=str(params.window),
            stores=stores,
        ),
        engine.PACK_EXCEEDS_COVER: fill(
            _(
                "Las tiendas sin stock que lo necesitan recibirían una caja que supera %(woc)s sem de "
                "cobertura: sin línea (ver las tiendas en Excepciones)."
            ),
            n,
            woc=pack_weeks(e, params)[1],
        ),
        engine.STOCK_COVERS_NEED: fill(
            _("El stock de las %(stores)s tiendas candidatas cubre su necesidad (%(need)s): sugerido 0."),
            n,
            stores=stores,
            need=np.where(cold, _("arranque en frío"), cover).astype(object),
        ),
    }
    out = np.full(n, _("Sin línea: causa no identificada."), dtype=object)
    for code, text in texts.items():
        mask = reason == code
        out[mask] = text[mask]
    return out


def explanation_of(line: Any) -> str:
    """One DistributionLine's explanation (a query for its run's parameters)."""
    explain_records([line], line.run.params or {})
    return str(line.explanation_text)
