"""One poller thread per UPS inside ``compensator run``, reading ``ups.status`` from NUT's ``upsd``.

Each poller asks ``upsd`` (through PyNUTClient) every ``poll_seconds`` and hands the reading
to ``services.ups.record_reading``, which debounces it and opens or ends outages. A ``upsd``
that does not answer, answers an error or has no usable status is a reading too ("no answer"):
the machine then decides nothing, and the next poll simply tries again on a new connection.
Nothing a poll meets ends the thread or reaches the server; a problem is logged once, when it
first appears, not at every poll.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from PyNUTClient.PyNUT import PyNUTClient

from compensator.collector import collector_held_off
from compensator.domain.equipment import UpsStatus, number
from compensator.domain.ups import Reading, battery_low, reading_of_status
from compensator.runtime import Compensator
from compensator.services.sources.ups import record_reading
from compensator.settings import UpsSettings

log = logging.getLogger(__name__)

# A poll should never hang for long, nor give up on a loaded machine in a blink.
MIN_TIMEOUT_SECONDS = 1.0
MAX_TIMEOUT_SECONDS = 5.0
ClientFactory = Callable[..., Any]
# The battery's figures kept with each status change, in the order of ``UpsStatus``'s fields.
FIGURES = (b"battery.charge", b"battery.runtime", b"ups.load")


class GuardedClient(PyNUTClient):  # type: ignore[misc]  # PyNUTClient ships no types: it is Any to mypy
    """PyNUTClient that takes a connection closed by ``upsd`` for the error it is.

    PyNUTClient 2.8 reads an answer by calling ``recv`` until the answer's last line has come,
    and a socket closed by the peer returns no bytes forever: a ``upsd`` stopped while a poll
    waits would spin the poller at full speed and never let it poll again. This replaces that
    one reading step (name-mangled, hence its odd name), with the same buffering, and adds a
    ``close`` so that no socket is left for the garbage collector.
    """

    # PyNUTClient's own connection (None until it connects) and the bytes read past an answer.
    _PyNUTClient__srv_handler: socket.socket | None
    _PyNUTClient__recv_leftover: bytes

    def __init__(self, **options: Any) -> None:
        try:
            super().__init__(**options)
        except BaseException:
            # A refused login leaves the socket open in the half-made client.
            self.close()
            raise

    def close(self) -> None:
        """Log out and close the connection (quietly: it may be dead already)."""
        connection = self._PyNUTClient__srv_handler
        if connection is None:
            return
        self._PyNUTClient__srv_handler = None
        try:
            connection.send(b"LOGOUT\n")
        except OSError:
            pass
        connection.close()

    def _PyNUTClient__read_until(self, finished: bytes) -> bytes:
        connection = self._PyNUTClient__srv_handler
        # PyNUTClient reads only once connected, and a closed client is never read again.
        assert connection is not None, "read from a closed client"
        data = self._PyNUTClient__recv_leftover
        while finished not in data:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError("upsd closed the connection")
            data += chunk
        end = data.index(finished) + len(finished)
        self._PyNUTClient__recv_leftover = data[end:]
        return data[:end]


class NutReader:
    """Reads one UPS's ``ups.status`` from ``upsd``, keeping its connection between polls."""

    def __init__(self, ups: UpsSettings, client_factory: ClientFactory = GuardedClient) -> None:
        self._ups = ups
        self._client_factory = client_factory
        self._client: Any = None
        # Whether the last status read said the battery is low (``LB`` or ``FSD``).
        self.low_battery = False
        # The last status read, with the battery's figures, for the equipment record.
        self.status: UpsStatus | None = None

    def read(self) -> tuple[Reading, str | None]:
        """The UPS's reading now, and what went wrong when it is no answer."""
        ups = self._ups
        try:
            if self._client is None:
                timeout = min(MAX_TIMEOUT_SECONDS, max(MIN_TIMEOUT_SECONDS, ups.poll_seconds))
                self._client = self._client_factory(host=ups.host, port=ups.port, login=ups.username,
                                                    password=ups.password, timeout=timeout)
            values = self._client.GetUPSVars(ups.name)
        except Exception as error:  # noqa: BLE001 - refused, timed out, an ERR line: all mean "no answer"
            # The connection may be half-read or dead: the next poll starts a new one.
            self.close()
            self.status = None
            return Reading.NO_ANSWER, f"{type(error).__name__}: {error}".rstrip(": ")
        raw = values.get(b"ups.status", b"")
        status = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        reading = reading_of_status(status)
        self.low_battery = battery_low(status)
        self.status = UpsStatus(status, *(number(values.get(name)) for name in FIGURES)) if status.strip() else None
        return reading, None if reading is not Reading.NO_ANSWER else f"ups.status is {status or 'missing'!r}"


    def close(self) -> None:
        """Close the connection to upsd, if one is open."""
        client, self._client = self._client, None
        if client is not None:
            client.close()


class UpsPoller:
    """A daemon thread that polls one UPS until stopped."""

    def __init__(self, runtime: Compensator, ups: UpsSettings, reader: NutReader | None = None) -> None:
        self.runtime = runtime
        self.ups = ups
        self._reader = reader or NutReader(ups)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ups-poller-{ups.name}", daemon=True)
        self._problem: str | None = None

    def start(self) -> None:
        """Start polling in the background."""
        self._thread.start()

    def stop(self, timeout: float = MAX_TIMEOUT_SECONDS) -> None:
        """Ask the thread to stop and wait for it (at most ``timeout`` seconds, as a poll may be under way)."""
        self._stop.set()
        self._thread.join(timeout)

    def poll_once(self) -> None:
        """Read the UPS once and record the reading; any failure is logged when it is new."""
        try:
            reading, problem = self._reader.read()
            with collector_held_off(), self.runtime.unit_of_work() as uow:
                record_reading(uow, self.ups.name, reading, at=self.runtime.clock.now(),
                               low_battery=getattr(self._reader, "low_battery", False),
                               status=getattr(self._reader, "status", None))
        except Exception as error:  # noqa: BLE001 - a poller must outlive a busy or restarting database
            self._note(f"could not record a reading: {type(error).__name__}: {error}", error)
            return
        self._note(problem)

    def _run(self) -> None:
        # Polls keep a steady rhythm: a slow answer shortens the wait that follows it.
        next_poll = time.monotonic()
        try:
            while not self._stop.is_set():
                self.poll_once()
                next_poll = max(next_poll + self.ups.poll_seconds, time.monotonic())
                self._stop.wait(next_poll - time.monotonic())
        finally:
            self._reader.close()

    def _note(self, problem: str | None, error: Exception | None = None) -> None:
        if problem == self._problem:
            return
        if problem is None:
            log.info("UPS %s: upsd answers again", self.ups.name)
        else:
            log.warning("UPS %s: %s", self.ups.name, problem, exc_info=error)
        self._problem = problem


def start_pollers(runtime: Compensator) -> list[UpsPoller]:
    """Start one poller per UPS the configuration says to poll."""
    pollers = [UpsPoller(runtime, ups) for ups in runtime.settings.ups if ups.poll]
    for poller in pollers:
        poller.start()
    return pollers


def stop_pollers(pollers: list[UpsPoller]) -> None:
    """Stop the pollers and wait for each."""
    for poller in pollers:
        poller.stop()
