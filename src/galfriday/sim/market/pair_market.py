"""One pair's synthetic market: fair price, trade flow and liquidity, as a stream of event batches.

Per trade (Hawkes arrival): the fair price takes a GARCH log-return. If it moved beyond the best
ask (bid), a buyer (seller) sweeps the book up to it; otherwise the trade's side is a coin weighted
by where the fair price sits in the spread and it takes from the touch. Each level a trade takes
from is one print (Kraken prints one trade per maker), and the book update after them shows
exactly that size gone from those levels — a trade at the ask consumes ask quantity. Levels a
sweep empties are replaced at the far end, and the other side re-quotes within ``spread_ticks``.
Between trades (Poisson arrivals) makers add size, cancel size or improve the spread.
All randomness comes from the one ``random.Random`` handed in, so a seed fixes the whole stream.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from galfriday.core.events import Event, MarketTradeReceived, OrderBookUpdated
from galfriday.core.types import Side
from galfriday.sim.ids import EventIds
from galfriday.sim.market.arrivals import HawkesArrivals, PoissonArrivals
from galfriday.sim.market.book import BookSide, SyntheticBook
from galfriday.sim.market.profile import PairProfile
from galfriday.sim.market.volatility import Garch11

_MAX_SWEEP_LEVELS = 5
# Log-normal size factors exp(N(-1/2, 1)) (mean 1) at 1024 equally likely quantiles: a table
# lookup per size instead of a Python-level gauss() call, the generator's hottest path.
_SIZE_FACTORS = tuple(math.exp(NormalDist(-0.5, 1.0).inv_cdf((i + 0.5) / 1024)) for i in range(1024))


class PairMarket:
    """``next_ts`` is when this pair's next batch happens; ``step`` produces that batch."""

    def __init__(self, profile: PairProfile, rng: random.Random, start_ns: int, ids: EventIds) -> None:
        inst = profile.instrument
        self.pair = inst.symbol
        self._p = profile
        self._rng = rng
        self._ids = ids
        self._tick, self._lot = inst.tick, inst.lot
        self._lots_per_unit = int(1 / inst.lot)
        self._level_lots = float(profile.level_qty) * self._lots_per_unit
        self._trade_lots = float(profile.trade_qty) * self._lots_per_unit
        self._book = SyntheticBook(inst.tick, inst.lot)
        self._trades = HawkesArrivals(
            profile.trade_rate_hz, profile.hawkes_jump_hz, profile.hawkes_decay_hz, rng
        )
        self._updates = PoissonArrivals(profile.book_update_hz, rng)
        self._garch = Garch11(profile.garch_omega, profile.garch_alpha, profile.garch_beta, rng)
        self._fair = float(profile.start_price / inst.tick)  # in ticks
        self._trade_seq = 0
        self._build(int(self._fair))
        self._next_trade = start_ns + self._trades.next_gap_ns()
        self._next_update = start_ns + self._updates.next_gap_ns()
        self._start_ns = start_ns
        self._snapshot_due = True

    @property
    def next_ts(self) -> int:
        return self._start_ns if self._snapshot_due else min(self._next_trade, self._next_update)

    def step(self, not_before: int) -> list[Event]:
        """The next batch of events, stamped from ``max(next_ts, not_before)`` on, 1 ns apart."""
        ts = max(self.next_ts, not_before)
        if self._snapshot_due:
            self._snapshot_due = False
            return [self._book_event(ts, snapshot=True)]
        if self._next_trade <= self._next_update:
            batch = self._trade(ts)
            self._next_trade = max(self._next_trade, batch[-1].ts_event) + self._trades.next_gap_ns()
        else:
            self._update()
            batch = [self._book_event(ts)]
            self._next_update = max(self._next_update, ts) + self._updates.next_gap_ns()
        return batch

    # -- building blocks ------------------------------------------------------------------------

    def _lots(self, mean_lots: float) -> int:
        """A log-normal size with mean ``mean_lots`` (at least one lot)."""
        return max(1, int(mean_lots * _SIZE_FACTORS[self._rng.getrandbits(10)]))

    def _between(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi] (``randint`` without its argument checks)."""
        return lo + int(self._rng.random() * (hi - lo + 1))

    def _gap(self) -> int:
        return self._between(*self._p.level_gap_ticks)

    def _build(self, mid: int) -> None:
        spread = self._between(*self._p.spread_ticks)
        bid = mid - spread // 2
        for side, price, step in ((self._book.bids, bid, -1), (self._book.asks, bid + spread, +1)):
            for _ in range(self._p.depth):
                side.append(price, self._lots(self._level_lots))
                price += step * self._gap()

    def _refill(self, side: BookSide) -> None:
        while len(side.prices) < self._p.depth:
            side.append(side.worst() + side.direction * self._gap(), self._lots(self._level_lots))

    def _requote(self, side: BookSide, other: BookSide) -> None:
        """After the other side moved away, ``side`` follows within the spread range."""
        lo, hi = self._p.spread_ticks
        gap = abs(other.best() - side.best())
        if gap <= hi:
            return
        price = other.best() + side.direction * self._between(lo, hi)
        side.insert(0, price, self._lots(self._level_lots))
        # makers re-quote a ladder, not a lone level: fill the hole left behind the new touch
        gap_max = self._p.level_gap_ticks[1]
        i = 0
        while i < self._p.depth - 1 and abs(side.prices[i + 1] - side.prices[i]) > gap_max:
            side.insert(i + 1, side.prices[i] + side.direction * self._gap(), self._lots(self._level_lots))
            i += 1
        side.trim(self._p.depth)

    def _book_event(self, ts: int, snapshot: bool = False) -> OrderBookUpdated:
        bids, asks = self._book.snapshot()
        return OrderBookUpdated(
            ts_event=ts,
            ts_init=ts,
            event_id=self._ids(),
            pair=self.pair,
            bids=bids,
            asks=asks,
            is_snapshot=snapshot,
        )

    # -- trades ---------------------------------------------------------------------------------

    def _trade(self, ts: int) -> list[Event]:
        book, rng = self._book, self._rng
        self._fair *= math.exp(self._garch.draw())
        fair, bid, ask = self._fair, book.bids.best(), book.asks.best()
        if fair >= ask:
            buy = True
        elif fair <= bid:
            buy = False
        else:
            buy = rng.random() < (fair - bid) / (ask - bid)
        side = book.asks if buy else book.bids
        want = self._lots(self._trade_lots)
        if (fair - side.best()) * side.direction > 0:  # the fair price lies beyond the touch: sweep
            swept = [
                q
                for p, q in zip(side.prices[:_MAX_SWEEP_LEVELS], side.qtys, strict=False)
                if (fair - p) * side.direction >= 0
            ]
            want += sum(swept)
        events: list[Event] = []
        aggressor = Side.BUY if buy else Side.SELL
        while want > 0 and len(side.prices) > 1:
            price, qty = side.prices[0], side.qtys[0]
            take = min(qty, want)
            want -= take
            self._trade_seq += 1
            events.append(
                MarketTradeReceived(
                    ts_event=ts,
                    ts_init=ts,
                    event_id=self._ids(),
                    pair=self.pair,
                    price=self._tick * price,
                    qty=self._lot * take,
                    side=aggressor,
                    trade_id=str(self._trade_seq),
                    ord_type="market",
                )
            )
            ts += 1
            if take < qty:
                side.set_qty(0, qty - take)
                break
            side.pop(0)
            if (fair - side.best()) * side.direction < 0:
                break  # the next level is beyond the fair price: the aggressor stops here
        self._refill(side)
        self._requote(book.bids if buy else book.asks, side)
        events.append(self._book_event(ts))
        return events

    # -- liquidity between trades ---------------------------------------------------------------

    def _update(self) -> None:
        """One maker action near the touch: improve the spread, or add/cancel size (cancels grow
        more likely as a level grows past ``level_qty``, so sizes stay around it)."""
        book, rng, p = self._book, self._rng, self._p
        is_bid = rng.random() < 0.5
        side, other = book.side(is_bid), book.side(not is_bid)
        spread = book.spread()
        if spread > 1 and rng.random() < 0.15:
            inside = side.best() - side.direction * self._between(1, spread - 1)
            side.insert(0, inside, self._lots(self._level_lots))
            side.trim(p.depth)
            return
        i = min(int(rng.expovariate(0.35)), len(side.prices) - 1)  # activity concentrates at the touch
        qty = side.qtys[i]
        cancel = rng.random() < qty / (qty + self._level_lots)
        if cancel and (i > 0 or spread < p.spread_ticks[1]):
            cut = self._lots(self._level_lots)
            if cut < qty:
                side.set_qty(i, qty - cut)
            else:
                side.pop(i)
                self._refill(side)
                self._requote(other, side)
        else:
            side.set_qty(i, qty + self._lots(self._level_lots))
