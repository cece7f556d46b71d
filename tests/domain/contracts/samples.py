"""Valid contract mappings, one per category, for the contract tests."""

from __future__ import annotations

MARKET = "0x647fe16b6b42c32554fe6c4a4e9f06c22547acd5a109cbe0de6c9bae43ec09a8"
OTHER_MARKET = "0x" + "1f" * 32

CRYPTO_CLOSE: dict[str, object] = {
    "category": "crypto_threshold",
    "market_id": MARKET,
    "cutoff_ms": "2026-03-11T16:00:00Z",
    "underlying": "BTC",
    "quote": "USDT",
    "strike": 64000,
    "kind": "close",
    "direction": "above",
    "inclusive": False,
    "oracle_feed": "binance:BTCUSDT:1m_close",
    "rounding": "source_precision",
    "finality": "candle_final",
}

CRYPTO_TOUCH: dict[str, object] = {
    **CRYPTO_CLOSE,
    "kind": "touch",
    "direction": "below",
    "inclusive": True,
    "strike": "60000",
    "window_start_ms": "2026-03-01T05:00:00Z",
    "cutoff_ms": "2026-04-01T04:00:00Z",
    "oracle_feed": "binance:BTCUSDT:1m_low",
}

RATES: dict[str, object] = {
    "category": "rates_event",
    "market_id": OTHER_MARKET,
    "cutoff_ms": "2023-02-01T19:00:00Z",
    "body": "fed",
    "action": "hike",
    "change_bps": 25,
    "comparison": "exact",
    "resolution_source": "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm",
    "finality": "official_statement",
}

EVENT_OPS: dict[str, object] = {
    "category": "event_ops",
    "market_id": OTHER_MARKET,
    "cutoff_ms": "2022-09-02T03:59:59Z",
    "event": "first proof-of-stake block (EIP-3675 TRANSITION_BLOCK) on Ethereum mainnet",
    "early_resolution": True,
    "resolution_source": "Ethereum mainnet block data",
    "finality": "official_announcement",
    "fifty_fifty": False,
}

WEATHER: dict[str, object] = {
    "category": "weather_exceedance",
    "market_id": OTHER_MARKET,
    "cutoff_ms": "2025-07-16T04:00:00Z",
    "window_start_ms": "2025-07-15T04:00:00Z",
    "station": "KNYC",
    "variable": "max_temp",
    "unit": "F",
    "threshold": 95,
    "direction": "above",
    "inclusive": True,
    "resolution_source": "NWS Daily Climate Report (CLI) for Central Park",
    "rounding": "round_int",
    "finality": "final_report",
}

ALL_VALID = {
    "crypto_close": CRYPTO_CLOSE,
    "crypto_touch": CRYPTO_TOUCH,
    "rates": RATES,
    "event_ops": EVENT_OPS,
    "weather": WEATHER,
}
