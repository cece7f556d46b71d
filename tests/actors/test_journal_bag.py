"""JournalBag: every posted batch reaches the writer exactly once per drain, under races."""

from __future__ import annotations

import queue
import threading

from astra.actors.journal_bag import JournalBag
from astra.actors.messages import JournalDoorbell
from astra.domain.journal_record import JournalRecord, RecordKind


class Mailbox:
    """Stands in for the router + TelemetryActor mailbox: doorbells in a queue."""

    def __init__(self, accept: bool = True) -> None:
        self.accept = accept
        self.rings: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.told = 0

    def tell(self, name: str, message: object) -> bool:
        assert (name, type(message)) == ("telemetry", JournalDoorbell)
        self.told += 1
        if self.accept:
            self.rings.put(message)
        return self.accept


def _record(producer: str, seq: int) -> JournalRecord:
    return JournalRecord.build(producer, seq, RecordKind.RISK_EVENT, seq, None, {"n": seq})


def test_racing_posters_lose_nothing_and_ring_far_less_than_they_post() -> None:
    box = Mailbox()
    bag = JournalBag(box, "telemetry", ring_at=8)
    posters, per_poster = 4, 2_000
    seen: list[JournalRecord] = []
    done = threading.Event()

    def writer() -> None:  # the TelemetryActor: one drain per doorbell
        while not (done.is_set() and box.rings.empty()):
            try:
                box.rings.get(timeout=0.01)
            except queue.Empty:
                continue
            seen.extend(bag.drain())

    def post(p: int) -> None:
        for seq in range(1, per_poster + 1):
            bag.post((_record(f"p{p}", seq),))

    drain = threading.Thread(target=writer)
    drain.start()
    threads = [threading.Thread(target=post, args=(p,)) for p in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    drain.join(10)
    seen.extend(bag.drain())  # what stayed under ring_at: the next tick or flush takes it
    keys = [(r.producer, r.seq) for r in seen]
    assert sorted(keys) == sorted((f"p{p}", s) for p in range(posters) for s in range(1, 2001))
    assert len(bag) == 0
    for p in range(posters):  # one producer's records stay in its order
        mine = [seq for producer, seq in keys if producer == f"p{p}"]
        assert mine == sorted(mine)
    assert box.told < posters * per_poster


def test_a_trickle_rings_once_per_ring_at_batches() -> None:
    box = Mailbox()
    bag = JournalBag(box, "telemetry", ring_at=3)
    bag.post((_record("a", 1),))
    bag.post((_record("a", 2),))
    assert box.told == 0  # two batches wait for the tick
    bag.post((_record("a", 3),))
    bag.post((_record("a", 4),))
    assert box.told == 1  # the third rang; the fourth found the ring pending
    assert [r.seq for r in bag.drain()] == [1, 2, 3, 4]


def test_a_refused_ring_stays_pending_until_the_next_writer_drains() -> None:
    box = Mailbox(accept=False)  # no live TelemetryActor
    bag = JournalBag(box, "telemetry", ring_at=1)
    bag.post((_record("a", 1),))
    bag.post((_record("a", 2),))
    assert box.told == 1  # one refused ring for the outage, not one per post
    box.accept = True
    assert [r.seq for r in bag.drain()] == [1, 2]  # a restarted writer drains on start...
    bag.post((_record("a", 3),))
    assert box.rings.qsize() == 1  # ...which re-arms the doorbell
