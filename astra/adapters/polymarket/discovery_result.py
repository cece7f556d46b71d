"""What a Gamma discovery run returns: the whole filtered universe, or a veto.

A veto means the universe is unknown (an HTTP error, a timeout, an invalid body, a broken
cursor or an exhausted page budget). Then `markets` is empty on purpose: a partial universe
must never be traded as if it were complete (seed defects B-4, §1.33, §1.40).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from astra.adapters.http_client import RequestVeto
from astra.adapters.polymarket.gamma_mapping import Rejection
from astra.domain.market import MarketInfo

DiscoveryVeto = RequestVeto  # reason (VenueVeto) + detail (+ HTTP status when there was one)
Pagination = Literal["auto", "keyset", "offset"]
Collection = Literal["markets", "events"]


@dataclass(frozen=True, slots=True)
class DiscoveryFilters:
    """Server-side filters and the page budget of one discovery run.

    `active`/`closed` None means "don't send the filter" (Gamma defaults `closed` to false when
    omitted). `search` switches to `/public-search` (events with their markets).
    """

    active: bool | None = True
    closed: bool | None = False
    tag_id: str | None = None
    search: str | None = None
    collection: Collection = "markets"
    pagination: Pagination = "auto"
    page_size: int = 100  # Gamma silently caps /markets pages at 100
    max_pages: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= 100:
            raise ValueError("page_size must be within 1..100 (Gamma caps pages at 100)")
        if self.max_pages < 1:
            raise ValueError("max_pages must be >= 1")


@dataclass(frozen=True, slots=True)
class DiscoveryResult:
    markets: tuple[MarketInfo, ...]
    rejected: tuple[Rejection, ...]
    pages: int
    veto: DiscoveryVeto | None = None
    pagination: str = ""  # which walk produced it: keyset, offset or search

    @property
    def ok(self) -> bool:
        return self.veto is None
