"""One client thread of the crash load: a café of its own seats, the requests it chooses, what it learns.

Each thread keeps some seats and the sessions it started on them, and sends a seeded random mix
of the API's mutations: sessions started, extended, paused, resumed, moved and ended, outages
opened and ended, notices delivered, vouchers redeemed, and a few requests that are refused on
purpose. The threads share a ``Board`` of open outages, notices and vouchers; ``Layout`` deals
the test venue's seats out among them.
"""

from __future__ import annotations

import copy
import random
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import make_settings
from tests.support.crash_client import Attempt, Client, KeyedRequest, RequestLog


@dataclass
class SessionBelief:
    """What a thread knows of one of its sessions, from the answers it got."""

    seat: str
    postpaid: bool
    paused: bool = False


class Board:
    """What the threads share: open outages, notices to hand over, vouchers to redeem."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_outages: set[int] = set()
        self.notices: list[int] = []
        self.vouchers: list[str] = []
        self.used_vouchers: list[str] = []


@dataclass(frozen=True)
class Layout:
    """The test venue's seats as the load deals them out: those a power cut darkens at once
    (their zone has no UPS), and those whose UPS bridges a short cut."""

    unbridged_seats: tuple[str, ...]
    bridged_seats: tuple[str, ...]
    unbridged_zones: tuple[str, ...]

    def seats_of(self, index: int, workers: int) -> tuple[list[str], list[str]]:
        """The unbridged and bridged seats of thread ``index``: every ``workers``-th of each."""
        return list(self.unbridged_seats[index::workers]), list(self.bridged_seats[index::workers])

    def shared_scopes(self) -> list[dict[str, Any]]:
        """The outage scopes every thread may open, so that two threads can meet on one outage."""
        return [{"zones": list(self.unbridged_zones)}, {}, {"kind": "network"}]


def venue_layout() -> Layout:
    """The layout of the test venue (``tests.conftest.VENUE``)."""
    settings = make_settings()
    unbridged = {zone.id for zone in settings.zones if zone.ups_minutes == 0}
    return Layout(tuple(seat.id for seat in settings.seats if seat.zone_id in unbridged),
                  tuple(seat.id for seat in settings.seats if seat.zone_id not in unbridged),
                  tuple(sorted(unbridged)))


Choice = tuple[str, str, dict[str, Any] | None, int | str | None]


class Worker:
    """One client thread: a café of its own seats, the sessions it started on them, and its choices.

    A thread only ever acts on its own sessions and sends one request at a time, so what it
    believes of them follows from its answers, and each answer of an extension names the one
    entry that extension wrote (the newest).
    """

    def __init__(self, index: int, layout: Layout, workers: int, board: Board, log: RequestLog, seed: int) -> None:
        self.index = index
        self.layout = layout
        # Seats a power cut darkens at once (their credits are worth a test), and the others.
        self.unbridged, self.bridged = layout.seats_of(index, workers)
        self.seats = self.unbridged + self.bridged
        self.board = board
        self.log = log
        self.rng = random.Random(f"{seed}:{index}")
        self.sessions: dict[int, SessionBelief] = {}
        self.ended: list[int] = []
        self.sent = 0

    # What to ask for: each builder returns (action, path, body, target), or None when it cannot apply.

    def free_seats(self) -> list[str]:
        """This thread's seats with no session on them."""
        taken = {belief.seat for belief in self.sessions.values()}
        return [seat for seat in self.seats if seat not in taken]

    def start(self, seat: str | None = None, minutes: int | None = None, postpaid: bool = False) -> Choice | None:
        """Start a session on a free seat (prepaid unless ``postpaid``)."""
        free = self.free_seats()
        if seat is None:
            if not free:
                return None
            seat = self.rng.choice(free)
        body: dict[str, Any] = {"seat": seat}
        if postpaid:
            body["postpaid"] = True
        else:
            body["minutes"] = minutes or self.rng.choice((30, 60, 90, 120))
        if self.rng.random() < 0.25:
            body.update(customer_name="Chidi", language=self.rng.choice(("fr", "pcm")))
        return "session.start", "/sessions", body, seat

    def _session(self, condition: Callable[[SessionBelief], bool]) -> int | None:
        candidates = sorted(session_id for session_id, belief in self.sessions.items() if condition(belief))
        return self.rng.choice(candidates) if candidates else None

    def extend(self, session_id: int | None = None, minutes: int | None = None) -> Choice | None:
        """Sell more minutes to one of this thread's prepaid sessions."""
        session_id = session_id or self._session(lambda belief: not belief.postpaid)
        if session_id is None:
            return None
        return ("session.extend", f"/sessions/{session_id}/extend",
                {"minutes": minutes or self.rng.choice((10, 15, 30))}, session_id)

    def pause(self, session_id: int | None = None) -> Choice | None:
        """Pause a running session."""
        session_id = session_id or self._session(lambda belief: not belief.paused)
        return None if session_id is None else ("session.pause", f"/sessions/{session_id}/pause", None, session_id)

    def resume(self, session_id: int | None = None) -> Choice | None:
        """Resume a paused session."""
        session_id = session_id or self._session(lambda belief: belief.paused)
        return None if session_id is None else ("session.resume", f"/sessions/{session_id}/resume", None, session_id)

    def move(self, session_id: int | None = None, seat: str | None = None) -> Choice | None:
        """Move a session to a free seat of this thread."""
        free = self.free_seats()
        session_id = session_id or self._session(lambda belief: True)
        if session_id is None or not free:
            return None
        return ("session.move", f"/sessions/{session_id}/move", {"seat": seat or self.rng.choice(free)}, session_id)

    def end(self, session_id: int | None = None) -> Choice | None:
        """End a session."""
        session_id = session_id or self._session(lambda belief: True)
        return None if session_id is None else ("session.end", f"/sessions/{session_id}/end", None, session_id)

    def open_outage(self, body: dict[str, Any] | None = None) -> Choice | None:
        """Open an outage over this thread's seats, or over a scope the threads share."""
        if body is None:
            scopes = [{"seats": self.unbridged}, {"kind": "network", "seats": self.bridged[:2]},
                      *self.layout.shared_scopes()]
            body = copy.deepcopy(self.rng.choice(scopes))
        return "outage.start", "/outages", body, None

    def end_outage(self, outage_id: int | None = None) -> Choice | None:
        """Power is back: end an open outage (another thread may have ended it already)."""
        if outage_id is None:
            with self.board.lock:
                open_ids = sorted(self.board.open_outages)
            if not open_ids:
                return None
            outage_id = self.rng.choice(open_ids)
        return "outage.end", f"/outages/{outage_id}/end", None, outage_id

    def deliver(self, notice_id: int | None = None) -> Choice | None:
        """Record a notice as shown, printed or declined."""
        if notice_id is None:
            with self.board.lock:
                if not self.board.notices:
                    return None
                notice_id = self.rng.choice(self.board.notices)
        body: dict[str, Any] = {"how": self.rng.choice(("shown", "printed", "declined"))}
        if self.rng.random() < 0.5:
            body["feedback"] = self.rng.choice(("happy", "neutral", "unhappy"))
        return "notice.deliver", f"/notices/{notice_id}/deliver", body, notice_id

    def redeem(self, code: str | None = None, seat: str | None = None) -> Choice | None:
        """Start a session on a free seat with a voucher nobody has redeemed yet."""
        free = self.free_seats()
        if not free:
            return None
        if code is None:
            with self.board.lock:
                if not self.board.vouchers:
                    return None
                code = self.board.vouchers.pop(self.rng.randrange(len(self.board.vouchers)))
        seat = seat or self.rng.choice(free)
        return "voucher.redeem", f"/vouchers/{urllib.parse.quote(code)}/redeem", {"seat": seat}, code

    def refused_on_purpose(self) -> Choice | None:
        """A request the server must refuse (a refusal is an answer too, kept under its key)."""
        options: list[Choice | None] = []
        busy = sorted({belief.seat for belief in self.sessions.values()})
        if busy:
            seat = self.rng.choice(busy)
            options.append(("session.start", "/sessions", {"seat": seat, "minutes": 30}, seat))
        paused = self._session(lambda belief: belief.paused)
        if paused is not None:
            options.append(self.pause(paused))
        running = self._session(lambda belief: not belief.paused)
        if running is not None:
            options.append(self.resume(running))
        postpaid = self._session(lambda belief: belief.postpaid)
        if postpaid is not None:
            options.append(("session.extend", f"/sessions/{postpaid}/extend", {"minutes": 15}, postpaid))
        if self.ended:
            options.append(self.end(self.rng.choice(self.ended)))
        with self.board.lock:
            used = list(self.board.used_vouchers)
        if used and self.free_seats():
            options.append(self.redeem(self.rng.choice(used)))
        ready = [option for option in options if option is not None]
        return self.rng.choice(ready) if ready else None

    def choose(self) -> Choice:
        """A random request that this thread's café makes sense of (or, now and then, one to refuse)."""
        with self.board.lock:
            open_count = len(self.board.open_outages)
        weighted: list[tuple[float, Callable[[], Choice | None]]] = [
            (4.0, self.start), (1.0, lambda: self.start(postpaid=True) if self.free_seats() else None),
            (2.0, self.extend), (1.0, self.pause), (1.5, self.resume), (1.0, self.move),
            (2.0 + 2.0 * bool(open_count), self.end), (1.5 if open_count < 3 else 0.0, self.open_outage),
            (1.5 * open_count, self.end_outage), (1.0, self.deliver), (2.0, self.redeem),
            (1.0, self.refused_on_purpose),
        ]
        while True:
            weights = [weight for weight, _ in weighted]
            index = self.rng.choices(range(len(weighted)), weights=weights)[0]
            choice = weighted[index][1]()
            if choice is not None:
                return choice
            weighted[index] = (0.0, weighted[index][1])

    # Sending and learning from the answer.

    def perform(self, client: Client, choice: Choice, round_number: int) -> KeyedRequest:
        """Send one request with a new key until it is answered, and learn from the answer."""
        action, path, body, target = choice
        self.sent += 1
        request = KeyedRequest(f"crash-w{self.index}-{self.sent:05d}", action, path, body, target, round_number,
                               self.index)
        self.log.add(request)
        answer = client.send_until_answered(request)
        self._learn(request, answer)
        return request

    def _learn(self, request: KeyedRequest, answer: Attempt) -> None:
        body = answer.body if isinstance(answer.body, dict) else {}
        ok = answer.status is not None and 200 <= answer.status < 300
        action, target = request.action, request.target
        if action == "session.start" and ok:
            assert request.body is not None
            self.sessions[body["id"]] = SessionBelief(request.body["seat"], bool(request.body.get("postpaid")))
        elif action == "voucher.redeem":
            assert request.body is not None and isinstance(target, str)
            if ok:
                self.sessions[body["id"]] = SessionBelief(request.body["seat"], False)
            with self.board.lock:
                if target not in self.board.used_vouchers and (ok or body.get("error", {}).get("code") == "conflict"):
                    self.board.used_vouchers.append(target)
        elif action in ("session.pause", "session.resume") and ok:
            assert isinstance(target, int)
            self.sessions[target].paused = action == "session.pause"
        elif action == "session.move" and ok:
            assert isinstance(target, int) and request.body is not None
            self.sessions[target].seat = request.body["seat"]
        elif action == "session.end" and ok:
            assert isinstance(target, int)
            del self.sessions[target]
            self.ended.append(target)
        elif action == "outage.start" and ok:
            with self.board.lock:
                self.board.open_outages.add(body["id"])
        elif action == "outage.end" and ok:
            with self.board.lock:
                self.board.open_outages.discard(body["id"])
                for compensation in body.get("compensations", []):
                    if compensation.get("notice") is not None and compensation["notice"] not in self.board.notices:
                        self.board.notices.append(compensation["notice"])
                    self.board.vouchers.extend(code for code in compensation.get("vouchers", [])
                                               if code not in self.board.used_vouchers)
