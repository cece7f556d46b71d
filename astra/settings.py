"""Typed, frozen settings: embedded defaults < TOML file < ASTRA_* environment < flags.

One TOML file with a table per section. Unknown sections or keys are errors (a typo must not
silently fall back to a default). Environment overrides are `ASTRA_<SECTION>__<KEY>` (double
underscore), parsed with the field's type. `settings_hash` is the SHA-256 of the canonical JSON
of the effective settings; it goes into the run manifest.

Secret settings are marked in one place, their field's `metadata=SECRET`; any `*_url` setting
may also carry credentials (user:password@, a query string). `redacted_dict()` is what leaves
the process — run manifests (and so backups), `astra config show` — and `secret_values()` is
what the log redactor masks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, get_type_hints
from urllib.parse import urlsplit, urlunsplit

from astra.settings_models import ModelsSettings
from astra.settings_rules import rule_problems

ENV_PREFIX = "ASTRA_"
SECRET: Final = {"secret": True}  # field metadata: never printed, journaled or logged
REDACTED: Final = "<redacted>"


QUEUE_MODELS = ("risk_averse", "probabilistic")  # astra.domain.queue_models.QueueModelName


class SettingsError(ValueError):
    """A configuration problem, phrased for the operator."""


@dataclass(frozen=True, slots=True)
class DataSettings:
    dir: str = "data"


@dataclass(frozen=True, slots=True)
class VenueSettings:
    gamma_url: str = "https://gamma-api.polymarket.com"
    clob_url: str = "https://clob.polymarket.com"
    ws_url: str = "wss://ws-subscriptions-clob.polymarket.com/ws/market"
    rtds_url: str = "wss://ws-live-data.polymarket.com"
    http_timeout_s: float = 10.0
    http_retries: int = 3


@dataclass(frozen=True, slots=True)
class DiscoverySettings:
    tags: tuple[str, ...] = ("21",)  # 21 = crypto
    search: str = ""
    max_markets: int = 50
    page_budget: int = 20
    min_liquidity: float = 0.0
    # Rediscover every refresh_s seconds (0: only at start); new markets join live, ranked
    # by liquidity, then 24 h volume, then time to end (docs/settlement.md "universe").
    refresh_s: float = 300.0


@dataclass(frozen=True, slots=True)
class FeedSettings:
    max_assets_per_connection: int = 200
    ping_interval_s: float = 10.0
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    stale_after_s: float = 60.0
    # A connection that answers pings but carries no market data for this long is silent:
    # its books are unsynced (their markets' orders canceled) and it reconnects (resync).
    silence_s: float = 60.0
    # Every this often, each book's top is compared with REST /books (resync on mismatch).
    books_check_s: float = 60.0
    # A decision on an event handled this long after its receipt is vetoed `lagging`.
    max_lag_ms: int = 2_000
    spot_symbols: tuple[str, ...] = ("btcusdt", "ethusdt")


@dataclass(frozen=True, slots=True)
class RiskSettings:
    starting_equity_usd: float = 10_000.0
    daily_loss_frac: float = 0.05
    max_drawdown_frac: float = 0.10
    cooldown_s: float = 900.0
    max_order_notional_usd: float = 250.0
    market_exposure_frac: float = 0.05
    category_exposure_frac: float = 0.25
    # Worst case of one event group (neg-risk legs sharing Gamma's negRiskMarketID, or one
    # Gamma event), as a fraction of equity.
    event_cap_frac: float = 0.10
    max_orders_per_minute: int = 120
    auto_resume: bool = False
    approval_timeout_s: float = 0.5


@dataclass(frozen=True, slots=True)
class MarkingSettings:
    # A long is marked at its best bid; the mid only when the spread is within this many
    # ticks (0: never; docs/accounting.md). A book not updated for stale_after_s is marked
    # at its touch only, never at a mid.
    mid_max_spread_ticks: int = 0
    stale_after_s: float = 300.0

    def __post_init__(self) -> None:
        if self.mid_max_spread_ticks < 0 or not self.stale_after_s > 0:
            raise ValueError("mid_max_spread_ticks must be >= 0 and stale_after_s > 0")


@dataclass(frozen=True, slots=True)
class AccountingSettings:
    # Marked-equity records: at least this often (event time) while anything is marked, and
    # after every fill, settlement and new high-water mark.
    equity_interval_s: float = 60.0
    # Returns for Sharpe/Sortino are taken on this grid (the partial last interval kept).
    returns_interval_s: float = 300.0

    def __post_init__(self) -> None:
        if not (self.equity_interval_s >= 0.001 and self.returns_interval_s >= 0.001):
            raise ValueError("equity_interval_s and returns_interval_s must be >= 0.001")


@dataclass(frozen=True, slots=True)
class OrderSettings:
    ttl_s: float = 120.0
    stale_s: float = 30.0
    max_chase_ticks: int = 3
    latency_ms_mean: float = 250.0
    maker_rebate: bool = False
    # Every market's clock tick (TTL and stale expiry with no event); 0 turns it off.
    tick_ms: int = 1_000


@dataclass(frozen=True, slots=True)
class FillSettings:
    """The paper fill model (docs/fills.md): queue model and the cancel's flight time."""

    queue_model: str = "risk_averse"  # or "probabilistic"
    probabilistic_power: int = 2
    cancel_latency_ms_mean: float = 250.0
    cancel_latency_ms_min: int = 0

    def __post_init__(self) -> None:
        if self.queue_model not in QUEUE_MODELS:
            choices = ", ".join(QUEUE_MODELS)
            raise SettingsError(f"fills.queue_model {self.queue_model!r}: choose one of {choices}")
        if self.probabilistic_power < 1:
            raise SettingsError("fills.probabilistic_power must be at least 1")
        if self.cancel_latency_ms_mean < 0 or self.cancel_latency_ms_min < 0:
            raise SettingsError("fills.cancel_latency_ms_* must not be negative")


@dataclass(frozen=True, slots=True)
class StrategySettings:
    # market category -> strategy name; "default" applies to every other category.
    by_category: tuple[tuple[str, str], ...] = (
        ("crypto_threshold", "crypto_threshold"),
        ("weather_exceedance", "weather_exceedance"),
        ("rates_event", "rates_event"),
    )
    default: str = "maker"
    # No definition contract, no order (every strategy); False only for experiments.
    require_contract: bool = True
    kelly_fraction: float = 0.25
    max_kelly_stake_frac: float = 0.02
    min_edge: float = 0.02
    taker_escalation: bool = False
    taker_budget_usd: float = 0.0
    # Extra edge (probability points) over the maker threshold a taker escalation needs.
    taker_edge_margin: float = 0.03
    # crypto_threshold: annualised vol (0 = estimate from recent spot), spot staleness.
    vol_annual: float = 0.0
    spot_stale_s: float = 10.0
    # Grid of the spot path kept for realised volatility (>= 30 returns before it is known).
    spot_sample_interval_s: float = 60.0
    # maker (Avellaneda-Stoikov): risk aversion, horizon, quote size, inventory cap (shares).
    maker_risk_aversion: float = 1.0
    maker_horizon_s: float = 60.0
    maker_order_shares: float = 10.0
    maker_inventory_cap_shares: float = 200.0


@dataclass(frozen=True, slots=True)
class ContractsSettings:
    # A TOML ([[contract]] tables) or JSON (a list) file of definition contracts that override
    # or add to the built ones; validated at start (a bad file fails the start).
    file: str = ""


@dataclass(frozen=True, slots=True)
class ArbSettings:
    """Arbitrage measurement (issue 17): one EventActor per event group, logging only."""

    enabled: bool = False  # off by default: a new actor kind whose crash halts trading
    depth: int = 10  # book levels per side each market hands its EventActor
    # Paper maker-then-taker escalation of the measured opportunities (off by default).
    escalation: bool = False
    escalation_event: str = ""  # only this event id ("" every event)
    escalation_daily_usd: float = 0.0  # taker spend per UTC day
    escalation_per_opportunity_usd: float = 0.0
    maker_wait_ms: int = 1_000  # how long the maker legs rest before a take
    taker_latency_ms: int = 250  # decision to match
    # Cross-venue price logging (`astra arb poll-kalshi`): Kalshi's public market data.
    kalshi_url: str = "https://api.elections.kalshi.com/trade-api/v2"
    cross_venue_map: str = ""  # TOML [[pair]] condition_id <-> kalshi_ticker


@dataclass(frozen=True, slots=True)
class JournalSettings:
    batch_size: int = 256
    flush_interval_ms: int = 50
    synchronous: str = "NORMAL"
    backups_keep: int = 5


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9464


@dataclass(frozen=True, slots=True)
class ControlSettings:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9465
    # The token is read from this environment variable, or from <data dir>/control.token
    # (created with mode 0600 on first start). It is never logged or put in settings.
    token_env: str = "ASTRA_CONTROL_TOKEN"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True, slots=True)
class RunSettings:
    seed: int = 7
    burn_in_rounds: int = 3
    startup_timeout_s: float = 20.0
    shutdown_timeout_s: float = 5.0
    # Market actors run on this many pooled worker threads (0: one thread per market).
    market_workers: int = 4
    # Feed events a market mailbox holds before it refuses them (halt `overload`); from
    # `market_conflate_depth` queued on, book deltas are merged (latest level size wins).
    market_mailbox: int = 4_096
    market_conflate_depth: int = 64
    market_throughput: int = 64  # messages of one market per worker turn
    # After start-up: freeze the heap and collect young objects every N allocations (0: the
    # interpreter's default); see astra/app/gc_policy.py.
    gc_threshold0: int = 50_000
    # `paper` logs a one-line status (state, equity, books, fills) this often; 0 turns it off.
    status_interval_s: float = 60.0


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = "INFO"
    json: bool = True


@dataclass(frozen=True, slots=True)
class AlertSettings:
    # A Slack/Discord-style webhook URL is itself the credential.
    webhook_url: str = field(default="", metadata=SECRET)
    min_interval_s: float = 300.0


@dataclass(frozen=True, slots=True)
class SettlementSettings:
    """REST resolution checks of every market held, resting or live (docs/settlement.md)."""

    check_interval_s: float = 60.0  # 0: only at start


@dataclass(frozen=True, slots=True)
class Settings:
    data: DataSettings = field(default_factory=DataSettings)
    venue: VenueSettings = field(default_factory=VenueSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    marking: MarkingSettings = field(default_factory=MarkingSettings)
    accounting: AccountingSettings = field(default_factory=AccountingSettings)
    orders: OrderSettings = field(default_factory=OrderSettings)
    fills: FillSettings = field(default_factory=FillSettings)
    strategy: StrategySettings = field(default_factory=StrategySettings)
    contracts: ContractsSettings = field(default_factory=ContractsSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    control: ControlSettings = field(default_factory=ControlSettings)
    run: RunSettings = field(default_factory=RunSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    settlement: SettlementSettings = field(default_factory=SettlementSettings)
    arb: ArbSettings = field(default_factory=ArbSettings)
    models: ModelsSettings = field(default_factory=ModelsSettings)

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(dataclasses.asdict(self))
        return plain

    def redacted_dict(self) -> dict[str, Any]:
        """`to_dict()` with every secret replaced by REDACTED (an unset one stays "")."""
        plain = self.to_dict()
        for section, key in secret_settings():
            if plain[section][key]:
                plain[section][key] = REDACTED
        for table in plain.values():
            for key, value in table.items():
                if key.endswith("_url") and isinstance(value, str) and value != REDACTED:
                    table[key] = _url_without_credentials(value)
        return plain

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret value (and credential-bearing URL), for the log redactor."""
        plain = self.to_dict()
        values = [plain[section][key] for section, key in secret_settings()]
        values += [
            value
            for table in plain.values()
            for key, value in table.items()
            if key.endswith("_url") and isinstance(value, str)
            and _url_without_credentials(value) != value
        ]  # fmt: skip
        return tuple(v for v in values if isinstance(v, str) and v)

    def settings_hash(self) -> str:
        # Over the redacted form: the hash is journaled, and a secret's hash is a fingerprint.
        text = json.dumps(self.redacted_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def strategy_for(self, category: str) -> str:
        return dict(self.strategy.by_category).get(category, self.strategy.default)


def secret_settings() -> tuple[tuple[str, str], ...]:
    """(section, key) of every setting whose field is marked SECRET."""
    return tuple(
        (section.name, item.name)
        for section in fields(Settings)
        for item in fields(get_type_hints(Settings)[section.name])
        if item.metadata.get("secret")
    )


def _url_without_credentials(url: str) -> str:
    """`scheme://host/path`, with any user:password@ and query string redacted."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return REDACTED  # unparseable: it may be anything, print none of it
    if parts.username is None and parts.password is None and not parts.query:
        return url
    netloc = f"{REDACTED}@{host}" if parts.username or parts.password else host
    netloc += f":{port}" if port is not None else ""
    query = REDACTED if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def load_settings(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Defaults, then the TOML file (if given), then ASTRA_* environment, then overrides."""
    settings = Settings()
    if path is not None:
        settings = _apply(settings, _read_toml(Path(path)), source=str(path))
    settings = _apply(settings, _env_tables(environ or {}), source="environment")
    if overrides:
        settings = _apply(settings, overrides, source="flags")
    problems = rule_problems(flat_values(settings))
    if problems:
        raise SettingsError("; ".join(problems))
    return settings


def flat_values(settings: Settings) -> dict[str, Any]:
    """Every setting as `section.key -> value`."""
    return {
        f"{section.name}.{item.name}": getattr(getattr(settings, section.name), item.name)
        for section in fields(Settings)
        for item in fields(getattr(settings, section.name))
    }


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SettingsError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from exc


def _env_tables(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        tables.setdefault(section, {})[key] = _EnvText(raw)
    return tables


class _EnvText(str):
    """Marks a value that came from the environment and must be parsed by the field's type."""

    __slots__ = ()


def _apply(settings: Settings, tables: Mapping[str, Any], source: str) -> Settings:
    sections = {f.name: f for f in fields(Settings)}
    changes: dict[str, Any] = {}
    for section, table in tables.items():
        if section not in sections:
            raise SettingsError(f"{source}: unknown section [{section}]")
        if not isinstance(table, Mapping):
            raise SettingsError(f"{source}: [{section}] must be a table")
        current = getattr(settings, section)
        changes[section] = _apply_section(current, section, table, source)
    return replace(settings, **changes)


def _apply_section(current: Any, section: str, table: Mapping[str, Any], source: str) -> Any:
    hints = get_type_hints(type(current))
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in hints:
            raise SettingsError(f"{source}: unknown key {section}.{key}")
        values[key] = _coerce(raw, hints[key], f"{section}.{key}", source)
    try:
        return replace(current, **values)
    except ValueError as exc:  # a section's own check (`__post_init__`)
        raise SettingsError(f"{source}: [{section}] {exc}") from exc


def _coerce(raw: Any, hint: Any, name: str, source: str) -> Any:
    try:
        if isinstance(raw, _EnvText):
            return _parse_env(str(raw), hint)
        return _check_type(raw, hint)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: {name}: {exc}") from exc


def _parse_env(text: str, hint: Any) -> Any:
    if hint is bool:
        lowered = text.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected a boolean, got {text!r}")
    if hint in (int, float):
        try:
            return hint(text.strip())
        except ValueError:
            kind = "an integer" if hint is int else "a number"
            raise ValueError(f"expected {kind}, got {text!r}") from None
    if hint is str:
        return text
    # Tuples (and tuples of pairs) are given as JSON in the environment.
    return _check_type(json.loads(text), hint)


_KIND = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _check_type(value: Any, hint: Any) -> Any:
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in _KIND:
        if type(value) is not hint:
            raise TypeError(f"expected {_KIND[hint]}, got {value!r}")
        return value
    if getattr(hint, "__origin__", None) is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        args = hint.__args__
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_check_type(v, args[0]) for v in value)
        if len(args) != len(value):
            raise TypeError(f"expected {len(args)} items, got {len(value)}")
        return tuple(_check_type(v, a) for v, a in zip(value, args, strict=True))
    raise TypeError(f"unsupported setting type {hint!r}")
