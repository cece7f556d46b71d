"""YES 1000 @ 0.50 whose bids vanish: the market marks it at 0 and the risk book halts on
the marked loss (it used to keep the last mid: equity 10,000 and ACTIVE)."""

from __future__ import annotations

from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.market_inputs import MarketInputs, Marks
from astra.actors.market_state import MarketConfig, MarketState
from astra.actors.risk_book import DomainRiskBook
from astra.domain.events import LevelChange, PriceChange
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side
from astra.domain.reasons import HaltReason
from astra.domain.risk_limits import RiskLimits
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.trading import Fill, Liquidity

from .trading_support import Risk, Sink

INFO = synthetic_markets(1)[0]
T0 = 1_700_000_000_000
SHARES = 1_000_000_000  # 1000 shares
CASH = 10_000_000_000  # 10,000 USD


class BookedRisk(Risk):
    """The gateway fake, with its marks booked into a real DomainRiskBook."""

    def __init__(self, book: DomainRiskBook) -> None:
        super().__init__()
        self.book = book

    def report_marks(self, marks: Marks, now_ms: int) -> None:
        super().report_marks(marks, now_ms)
        self.book.apply_marks(dict(marks), now_ms)


def test_yes_whose_bids_vanish_is_marked_at_zero_and_halts() -> None:
    book = DomainRiskBook(RiskLimits(cooldown_ms=0), CASH, T0)
    fill = Fill(
        "f1",
        "o1",
        INFO.condition_id,
        INFO.yes_token,
        Side.BUY,
        5000,
        SHARES,
        0,
        Liquidity.MAKER,
        T0,
    )
    book.apply_fill(fill, T0)
    book.state.resume(T0, operator=True)
    risk = BookedRisk(book)
    config = MarketConfig(orders=OrderConfig(latency_mean_ms=0), marks_interval_ms=1_000)
    state = MarketState(
        INFO, SimpleQuoter(), Sink(), risk, config, epoch=1, inputs=MarketInputs(marks=risk)
    )
    state.positions.on_fill(fill)
    for snap in book_pair(INFO, 5100, T0):  # YES 0.50 / 0.52: marked at the 0.50 bid
        state.on_event(snap, T0)
    assert risk.marks[-1][0][0] == (INFO.yes_token, 5000)
    assert (book.equity(), book.state_name()) == (CASH, "active")

    # 100 ms later (inside the throttle) every YES bid is pulled: asks only.
    bids = [LevelChange(INFO.yes_token, Side.BUY, p, 0) for p in (5000, 4900, 4800)]
    state.on_event(PriceChange(INFO.condition_id, T0 + 100, tuple(bids)), T0 + 100)
    assert risk.marks[-1] == (((INFO.yes_token, 0), (INFO.no_token, 4800)), T0 + 100)
    # 1000 shares worth nothing: equity 9,500, a 5% daily loss (the limit): HALTED.
    assert book.equity() == CASH - 500_000_000
    assert book.state_name() == "halted"
    assert book.halt_reasons() == [HaltReason.DAILY_LOSS]
