"""Every reason string in Astra, in one place.

Vetoes, order transitions, halts and rejections carry one of these values. They are
string enums so they serialise as-is into the journal and metrics, and tests assert the
exact values. Add new reasons to the section of the area that produces them.
"""

from __future__ import annotations

import enum


class OrderReason(enum.StrEnum):
    """Why an order moved between states (order manager and fill model)."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WOULD_CROSS = "would_cross"
    BELOW_MIN_SIZE = "below_min_size"
    OFF_GRID = "off_grid"
    OUT_OF_BOUNDS = "out_of_bounds"
    FILLED = "filled"
    PARTIAL_FILL = "partial_fill"
    TTL_EXPIRED = "ttl_expired"
    STALE = "stale"
    REPLACED = "replaced"
    TOXIC_NO_IMPROVE = "toxic_no_improve"
    CHASE_LIMIT = "chase_limit"
    STRATEGY_CANCEL = "strategy_cancel"
    HALT = "halt"
    RESTART = "restart"
    MARKET_RESOLVED = "market_resolved"
    MARKET_CLOSED = "market_closed"  # left the universe (closed, past its end date)
    TICK_SIZE_CHANGE = "tick_size_change"
    OPERATOR_CANCEL = "operator_cancel"
    SHUTDOWN = "shutdown"
    NOT_POST_ONLY = "not_post_only"
    UNKNOWN_ASSET = "unknown_asset"
    BOOK_NOT_SYNCED = "book_not_synced"
    FEED_DESYNC = "feed_desync"  # the feed lost the book (reconnect): resting orders go
    TAKER_UNFILLED = "taker_unfilled"  # the rest of a taker order after walking the book
    NO_LIQUIDITY = "no_liquidity"  # a taker order found nothing to take within its limit
    DEFINITION_VETO = "definition_veto"  # no contract, or its trading cutoff has passed
    INVENTORY_MERGED = "inventory_merged"  # a resting SELL larger than what a merge left


class FeedReject(enum.StrEnum):
    """Why an inbound frame was rejected at the adapter boundary."""

    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    MISSING_FIELD = "missing_field"
    BAD_NUMBER = "bad_number"
    UNKNOWN_ASSET = "unknown_asset"
    UNKNOWN_FIELD = "unknown_field"
    BAD_VALUE = "bad_value"  # well-formed but outside its domain (side, tick, range)
    # The documented boundary limits (astra/adapters/bounded.py): digits, magnitude, nesting.
    NUMBER_TOO_LONG = "number_too_long"
    OUT_OF_RANGE = "out_of_range"
    TOO_DEEP = "too_deep"


class HaltReason(enum.StrEnum):
    """Why trading halted."""

    OPERATOR = "operator"
    ACTOR_FAILURE = "actor_failure"
    DAILY_LOSS = "daily_loss"
    DRAWDOWN = "drawdown"
    JOURNAL_UNAVAILABLE = "journal_unavailable"
    RISK_ACTOR_RESTART = "risk_actor_restart"
    ESCALATION = "escalation"
    SHUTDOWN = "shutdown"
    STARTUP = "startup"
    FEED_STALE = "feed_stale"
    SETTLEMENT_FAILED = "settlement_failed"  # a resolution the ledger could not book
    RISK_STATE_UNREADABLE = "risk_state_unreadable"  # the journaled risk state is malformed
    OVERLOAD = "overload"  # a market mailbox was full: the engine cannot keep up


class GateVeto(enum.StrEnum):
    """Why a gate (definition, EV, risk) said no."""

    NO_CONTRACT = "no_contract"
    CONTRACT_LINT_FAILED = "contract_lint_failed"
    NON_FINITE_INPUT = "non_finite_input"
    OUT_OF_RANGE_INPUT = "out_of_range_input"
    EV_BELOW_THRESHOLD = "ev_below_threshold"
    BOOK_NOT_SYNCED = "book_not_synced"
    BOOK_STALE = "book_stale"
    BOOK_CROSSED = "book_crossed"
    TOXIC = "toxic"
    SPREAD_REGIME = "spread_regime"
    HALTED = "halted"
    LAGGING = "lagging"  # the event was handled more than max_lag_ms after its receipt
    REDUCING_ONLY = "reducing_only"
    MAX_ORDER_NOTIONAL = "max_order_notional"
    MARKET_EXPOSURE_CAP = "market_exposure_cap"
    CATEGORY_EXPOSURE_CAP = "category_exposure_cap"
    ORDER_RATE_LIMIT = "order_rate_limit"
    RISK_TIMEOUT = "risk_timeout"
    RISK_UNAVAILABLE = "risk_unavailable"
    MARKET_CLOSED = "market_closed"
    BURN_IN = "burn_in"
    # Decision domain (estimator, EV gate, risk state).
    EXPIRED = "expired"
    INSUFFICIENT_SAMPLES = "insufficient_samples"
    NO_DEPTH = "no_depth"
    NON_POSITIVE_EQUITY = "non_positive_equity"
    # Strategies (astra.domain.strategies).
    NO_SPOT = "no_spot"
    SPOT_STALE = "spot_stale"
    UNSUPPORTED_CONTRACT = "unsupported_contract"
    WINDOW_NOT_OPEN = "window_not_open"
    NO_QUOTABLE_PRICE = "no_quotable_price"
    SIZE_BELOW_MIN = "size_below_min"
    INVENTORY_CAP = "inventory_cap"
    TAKER_BUDGET_EXHAUSTED = "taker_budget_exhausted"
    SELL_EXCEEDS_HELD = "sell_exceeds_held"  # no naked shorts: sells are of inventory held
    EVENT_EXPOSURE_CAP = "event_exposure_cap"  # worst case of one (neg-risk) event group
    # Weather and rates models (astra.domain.models).
    NO_FORECAST = "no_forecast"
    FORECAST_STALE = "forecast_stale"
    NO_PRIOR = "no_prior"


class ModelSourceVeto(enum.StrEnum):
    """Why a weather or rates data source (NWS, FRED) gave no usable frame."""

    NO_KEY = "no_key"  # FRED without $ASTRA_FRED_API_KEY
    BAD_SHAPE = "bad_shape"  # a documented field missing or of the wrong type
    BAD_VALUE = "bad_value"  # a number outside its bounds, a unit we do not know
    NO_VALUE = "no_value"  # the response holds nothing for the asked day / series
    REQUEST_FAILED = "request_failed"  # the HTTP client's veto (status, timeout, body)


class VenueVeto(enum.StrEnum):
    """Why a venue REST request or a discovery run gave no trustworthy answer.

    A veto replaces the answer: callers never get "ok with fewer markets" or an empty book
    in place of an error.
    """

    HTTP_STATUS = "http_status"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    INVALID_BODY = "invalid_body"
    PAGE_BUDGET_EXHAUSTED = "page_budget_exhausted"
    REPEATED_CURSOR = "repeated_cursor"
    OFFSET_LIMIT = "offset_limit"
    NO_ORDERBOOK = "no_orderbook"


class MarketReject(enum.StrEnum):
    """Why a venue market object was not mapped to a MarketInfo (counted, never a crash)."""

    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    BAD_FIELD = "bad_field"
    BAD_ENCODED_FIELD = "bad_encoded_field"
    BAD_CONDITION_ID = "bad_condition_id"
    NO_TOKEN_IDS = "no_token_ids"
    NOT_BINARY = "not_binary"
    NO_ORDER_BOOK = "no_order_book"
    BAD_TICK = "bad_tick"
    BAD_MIN_SIZE = "bad_min_size"
    BAD_FEE_SCHEDULE = "bad_fee_schedule"
    BAD_END_DATE = "bad_end_date"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    TOO_DEEP = "too_deep"  # nests deeper than the boundary's limit (astra/adapters/bounded.py)


class LintCode(enum.StrEnum):
    """Why a definition contract failed lint (astra.domain.contracts); paired with a field name."""

    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    INVALID_TYPE = "invalid_type"
    INVALID_VALUE = "invalid_value"
    NON_FINITE = "non_finite"
    NOT_POSITIVE = "not_positive"
    NOT_INTEGER = "not_integer"
    DATE_ONLY_TIME = "date_only_time"
    NAIVE_TIME = "naive_time"
    INVALID_TIME = "invalid_time"
    TIME_OUT_OF_RANGE = "time_out_of_range"
    INVALID_MARKET_ID = "invalid_market_id"
    INVALID_WINDOW = "invalid_window"
    WINDOW_NOT_ALLOWED = "window_not_allowed"
    FEED_MISMATCH = "feed_mismatch"
    INCONSISTENT = "inconsistent"
    DUPLICATE_MARKET = "duplicate_market"
    INVALID_JSON = "invalid_json"


class ParseVeto(enum.StrEnum):
    """Why a market question could not be turned into a draft contract (question parser)."""

    NO_UNDERLYING = "no_underlying"
    UNSUPPORTED_UNDERLYING = "unsupported_underlying"
    DERIVATIVE_TOKEN = "derivative_token"
    MULTIPLE_UNDERLYINGS = "multiple_underlyings"
    UP_DOWN_MARKET = "up_down_market"
    RANGE_QUESTION = "range_question"
    NO_STRIKE = "no_strike"
    MULTIPLE_STRIKES = "multiple_strikes"
    STRIKE_CONFLICT = "strike_conflict"
    NO_DIRECTION = "no_direction"
    AMBIGUOUS_DIRECTION = "ambiguous_direction"
    CONFLICTING_KIND = "conflicting_kind"
    NO_DATE = "no_date"
    MULTIPLE_DATES = "multiple_dates"
    INVALID_DATE = "invalid_date"
    MISSING_YEAR = "missing_year"
    YEAR_MISMATCH = "year_mismatch"
    NO_RESOLUTION_TIME = "no_resolution_time"
    NO_WINDOW_START = "no_window_start"
    NO_RESOLUTION_SOURCE = "no_resolution_source"
    AMBIGUOUS_SOURCE = "ambiguous_source"
    SOURCE_CONFLICT = "source_conflict"
    LINT_FAILED = "lint_failed"


class BuildVeto(enum.StrEnum):
    """Why no definition contract could be built for a market from its Gamma metadata."""

    NO_DESCRIPTION = "no_description"
    NOT_YES_NO = "not_yes_no"  # outcomes are neither Yes/No nor named in the rules
    SCALAR_MARKET = "scalar_market"
    NO_RESOLUTION_RULE = "no_resolution_rule"
    NO_END_DATE = "no_end_date"
    NO_RESOLUTION_SOURCE = "no_resolution_source"
    AMBIGUOUS_WORDING = "ambiguous_wording"
    MULTI_OUTCOME = "multi_outcome"  # a neg-risk leg without its outcome or event id
    NO_BODY = "no_body"
    NO_ACTION = "no_action"
    AMBIGUOUS_ACTION = "ambiguous_action"
    NO_BP_BUCKET = "no_bp_bucket"
    NO_MEETING = "no_meeting"
    NO_STATION = "no_station"
    NO_QUANTITY = "no_quantity"
    NO_THRESHOLD = "no_threshold"
    RANGE_BUCKET = "range_bucket"
    CRYPTO_UNPARSED = "crypto_unparsed"  # a crypto price market the crypto parser refused
    LINT_FAILED = "lint_failed"
    USER_FILE = "user_file"  # (not a veto) the contract came from `[contracts] file`
