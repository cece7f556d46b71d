"""The schema of every contract category: which fields exist, their checks and meaning.

A field not listed here is an unknown field and fails lint. Cross-field rules (window
order, feed symbol vs underlying, ...) live in `rules.py`.
"""

from __future__ import annotations

from astra.domain.contracts import fields as f
from astra.domain.contracts.contract import Category, Direction, Kind, RateAction

UNDERLYINGS = frozenset({"BTC", "ETH", "SOL", "XRP"})
QUOTES = frozenset({"USD", "USDT", "USDC"})
FEED_SOURCES = ("binance", "coinbase", "chainlink", "coingecko", "pyth", "kraken")
ROUNDINGS = frozenset(
    {"source_precision", "floor_int", "round_int", "ceil_int", "floor_cent", "round_cent"}
)
PRICE_FINALITY = frozenset({"candle_final", "source_final"})
RATE_BODIES = frozenset({"fed", "ecb", "boe", "boj"})
RATE_COMPARISONS = frozenset({"exact", "at_least"})
OFFICIAL_FINALITY = frozenset({"official_statement", "official_announcement", "final_report"})
WEATHER_VARIABLES = frozenset({"max_temp", "min_temp", "precipitation", "snowfall"})
WEATHER_UNITS = frozenset({"F", "C", "in", "mm"})

FEED_PATTERN = rf"(?:{'|'.join(FEED_SOURCES)}):[A-Z0-9]{{4,20}}:[a-z0-9_]{{1,32}}"

_COMMON: dict[str, f.FieldSpec] = {
    "category": f.FieldSpec(f.choice(Category), "which schema applies"),
    "market_id": f.FieldSpec(f.market_id, "the venue condition id (0x + 64 hex)"),
    "cutoff_ms": f.FieldSpec(f.instant, "the instant the outcome is measured or decided"),
}

_CRYPTO: dict[str, f.FieldSpec] = {
    "underlying": f.FieldSpec(f.choice(UNDERLYINGS), "which asset's price"),
    "quote": f.FieldSpec(f.choice(QUOTES), "the currency the price is quoted in"),
    "strike": f.FieldSpec(f.positive_decimal, "the threshold price (exact)"),
    "kind": f.FieldSpec(f.choice(Kind), "close at an instant or touch within a window"),
    "direction": f.FieldSpec(f.choice(Direction), "above or below the strike"),
    "inclusive": f.FieldSpec(f.boolean, "whether a print exactly at the strike is YES"),
    "window_start_ms": f.FieldSpec(f.instant, "start of the touch window", required=False),
    "oracle_feed": f.FieldSpec(f.pattern(FEED_PATTERN), "the price feed that settles it"),
    "rounding": f.FieldSpec(f.choice(ROUNDINGS), "how the feed's price is rounded"),
    "finality": f.FieldSpec(f.choice(PRICE_FINALITY), "when a print counts as final"),
}

_RATES: dict[str, f.FieldSpec] = {
    "body": f.FieldSpec(f.choice(RATE_BODIES), "which central bank decides"),
    "action": f.FieldSpec(f.choice(RateAction), "hike, cut or hold"),
    "change_bps": f.FieldSpec(f.integer(0), "size of the change in whole basis points"),
    "comparison": f.FieldSpec(f.choice(RATE_COMPARISONS), "exact size or at least"),
    "resolution_source": f.FieldSpec(f.text, "where the decision is published"),
    "finality": f.FieldSpec(f.choice(OFFICIAL_FINALITY), "which publication is final"),
}

_EVENT_OPS: dict[str, f.FieldSpec] = {
    "event": f.FieldSpec(f.text, "the event that resolves YES"),
    "window_start_ms": f.FieldSpec(f.instant, "events before this do not count", required=False),
    "early_resolution": f.FieldSpec(f.boolean, "whether YES resolves as soon as it happens"),
    "resolution_source": f.FieldSpec(f.text, "who confirms the event"),
    "finality": f.FieldSpec(f.choice(OFFICIAL_FINALITY), "which confirmation is final"),
    "fifty_fifty": f.FieldSpec(f.boolean, "whether the rules allow a 50/50 resolution"),
    "neg_risk_event_id": f.FieldSpec(f.text, "the neg-risk event group", required=False),
    "outcome": f.FieldSpec(f.text, "the outcome this leg's YES stands for", required=False),
}

_WEATHER: dict[str, f.FieldSpec] = {
    "station": f.FieldSpec(f.pattern(r"[A-Z]{4}"), "ICAO station identifier"),
    "variable": f.FieldSpec(f.choice(WEATHER_VARIABLES), "what is measured"),
    "unit": f.FieldSpec(f.choice(WEATHER_UNITS), "unit of the threshold"),
    "threshold": f.FieldSpec(f.integer(-200), "integer threshold in the unit"),
    "direction": f.FieldSpec(f.choice(Direction), "above or below the threshold"),
    "inclusive": f.FieldSpec(f.boolean, "whether a reading equal to the threshold is YES"),
    "window_start_ms": f.FieldSpec(f.instant, "start of the measurement window"),
    "resolution_source": f.FieldSpec(f.text, "which report settles it"),
    "rounding": f.FieldSpec(f.choice(ROUNDINGS), "how readings are rounded"),
    "finality": f.FieldSpec(f.choice(OFFICIAL_FINALITY), "which report is final"),
}

SCHEMAS: dict[Category, dict[str, f.FieldSpec]] = {
    Category.CRYPTO_THRESHOLD: {**_COMMON, **_CRYPTO},
    Category.RATES_EVENT: {**_COMMON, **_RATES},
    Category.EVENT_OPS: {**_COMMON, **_EVENT_OPS},
    Category.WEATHER_EXCEEDANCE: {**_COMMON, **_WEATHER},
}
