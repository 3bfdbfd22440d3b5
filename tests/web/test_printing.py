"""ESC/POS receipts printed for real: from the API, the dashboard and the auto-print job to a network printer.

A TCP listener on 127.0.0.1 stands in for a network printer: it keeps the bytes of each
connection, one receipt per connection. Closing it is a printer switched off.
"""

from __future__ import annotations

import socket
import threading
from functools import partial

import pytest
from escpos.printer import Dummy

from compensator.adapters.escpos import open_printer
from compensator.runtime import Compensator
from compensator.scheduler import AUTO_PRINT_JOB, build_scheduler, print_new_notices
from compensator.services.counter.alerts import AlertBoard
from compensator.services.handover import notices
from compensator.services.people.accounts import create_token
from tests.conftest import make_settings, power_cut_over
from tests.support.receipts import CUT, ESC_INIT, QR_COMMAND
from web import create_app


class Listener:
    """A stand-in network printer: every connection's bytes, kept as one receipt."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.receipts: list[bytes] = []
        self.arrived = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                chunks = []
                while data := connection.recv(65536):
                    chunks.append(data)
            with self.arrived:
                self.receipts.append(b"".join(chunks))
                self.arrived.notify_all()

    def wait_for(self, count: int, timeout_seconds: float = 5) -> list[bytes]:
        """The receipts once ``count`` have arrived, or those there are after ``timeout_seconds``."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.receipts) >= count, timeout=timeout_seconds)
            return list(self.receipts)

    def switch_off(self) -> None:
        """Stop listening: the port now refuses connections, like a printer that is off."""
        self.stopping.set()
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    printer = Listener()
    yield printer
    if not printer.stopping.is_set():
        printer.switch_off()


@pytest.fixture
def settings(listener):
    return make_settings(printer={"kind": "network", "host": "127.0.0.1", "port": listener.port, "width_mm": 58})


@pytest.fixture
def notice_id(uow, clock) -> int:
    """The notice of a session that ran out during the cut: it carries a voucher."""
    power_cut_over(uow, clock, {"G1": 30}, after_minutes=20, lasting_minutes=30)
    with uow() as unit:
        return notices.list_notices(unit, status="pending")[0].id


def status_of(uow, notice_id: int) -> str:
    with uow() as unit:
        return notices.get_notice(unit, notice_id).status


def test_a_notice_printed_through_the_api_reaches_the_network_printer_and_is_marked_printed(
        api, listener, uow, notice_id) -> None:
    response = api.post(f"/notices/{notice_id}/print", json={})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "printed"
    [receipt] = listener.wait_for(1)
    code = (response.get_json()["voucher"] or "").encode()
    assert receipt.startswith(ESC_INIT) and QR_COMMAND in receipt and receipt.endswith(CUT + b"\x00")
    assert b"Bright Star Cyber Cafe" in receipt and b"Seat G1" in receipt and code and code in receipt
    assert status_of(uow, notice_id) == "printed"


def test_a_printer_that_is_off_answers_503_printer_unavailable_and_the_notice_stays_pending(
        api, listener, uow, notice_id) -> None:
    listener.switch_off()
    response = api.post(f"/notices/{notice_id}/print", json={})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "printer_unavailable"
    assert status_of(uow, notice_id) == "pending"


def test_a_keyed_retry_of_print_prints_once_and_replays_the_answer(api, listener, notice_id) -> None:
    first = api.post(f"/notices/{notice_id}/print", json={}, headers={"Idempotency-Key": "print-1"})
    again = api.post(f"/notices/{notice_id}/print", json={}, headers={"Idempotency-Key": "print-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotency-Replayed"] == "true"
    assert len(listener.wait_for(2, timeout_seconds=1)) == 1


class SwitchablePrinter:
    """A fake printer factory: a printer that refuses while off, and python-escpos's Dummy once on."""

    def __init__(self) -> None:
        self.on = False
        self.printed: list[bytes] = []

    def __call__(self) -> Dummy:
        return self.Printed(self) if self.on else self.Off()

    class Off(Dummy):
        """A printer whose connection is refused."""

        def _raw(self, msg: bytes) -> None:
            raise ConnectionRefusedError("connection refused")

    class Printed(Dummy):
        """A printer that works, keeping what it printed once closed."""

        def __init__(self, owner: SwitchablePrinter) -> None:
            super().__init__()
            self.owner = owner
            self.closed = False

        def close(self) -> None:
            # python-escpos closes a printer again when it is collected: count the receipt once.
            if not self.closed:
                self.closed = True
                self.owner.printed.append(self.output)


def test_a_keyed_print_refused_while_the_printer_was_off_prints_when_retried(runtime, uow, notice_id) -> None:
    app = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"})
    printer = app.extensions["compensator.printer"] = SwitchablePrinter()
    with uow() as unit:
        token = create_token(unit, name="counter", actor="test").secret
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "print-2"}
    client = app.test_client()
    assert client.post(f"/api/v1/notices/{notice_id}/print", json={}, headers=headers).status_code == 503
    printer.on = True
    retried = client.post(f"/api/v1/notices/{notice_id}/print", json={}, headers=headers)
    assert retried.status_code == 200 and "Idempotency-Replayed" not in retried.headers
    assert len(printer.printed) == 1 and status_of(uow, notice_id) == "printed"


def test_auto_print_prints_one_receipt_per_notice_after_power_back_and_retries_a_printer_that_was_off(
        runtime, uow, clock, listener) -> None:
    power_cut_over(uow, clock, {"G1": 120, "G2": 90, "A1": 60}, after_minutes=30, lasting_minutes=20)
    factory = partial(open_printer, runtime.settings.printer)
    assert len(print_new_notices(runtime, factory).printed) == 3
    assert len(print_new_notices(runtime, factory).printed) == 0
    assert len(listener.wait_for(4, timeout_seconds=1)) == 3
    with uow() as unit:
        assert {notice.status for notice in notices.list_notices(unit)} == {"printed"}


def test_auto_print_leaves_notices_pending_while_the_printer_is_off(runtime, uow, clock, listener) -> None:
    listener.switch_off()
    power_cut_over(uow, clock, {"G1": 120, "G2": 90}, after_minutes=30, lasting_minutes=20)
    run = print_new_notices(runtime, partial(open_printer, runtime.settings.printer))
    assert (len(run.printed), len(run.failed)) == (0, 2)
    with uow() as unit:
        assert len(notices.list_notices(unit, status="pending")) == 2


def test_the_auto_print_job_runs_only_when_auto_print_is_on(runtime, clock, database_url, listener) -> None:
    assert build_scheduler(runtime, AlertBoard()).get_job(AUTO_PRINT_JOB) is None
    printing = make_settings(printer={"kind": "network", "host": "127.0.0.1", "port": listener.port,
                                      "auto_print": True})
    other = Compensator.open(printing, clock=clock, database_url=database_url)
    try:
        assert build_scheduler(other, AlertBoard()).get_job(AUTO_PRINT_JOB) is not None
    finally:
        other.close()


def test_print_and_print_all_pending_from_the_dashboard(dashboard, uow, clock, listener) -> None:
    power_cut_over(uow, clock, {"G1": 120, "G2": 90, "A1": 60}, after_minutes=30, lasting_minutes=20)
    with uow() as unit:
        first = min(notice.id for notice in notices.list_notices(unit, status="pending"))
    assert "Print</button>" in dashboard.get(f"/notices/{first}").get_data(as_text=True)
    assert "Print all pending" in dashboard.get("/").get_data(as_text=True)
    printed = dashboard.post(f"/notices/{first}/print", data={"csrf_token": "t", "idempotency_key": "k1"},
                          follow_redirects=True)
    assert "Receipt for seat" in printed.get_data(as_text=True)
    everything = dashboard.post("/notices/print-pending", data={"csrf_token": "t", "idempotency_key": "k2"},
                             follow_redirects=True)
    assert "2 receipts printed." in everything.get_data(as_text=True)
    assert len(listener.wait_for(3)) == 3
    with uow() as unit:
        assert notices.list_notices(unit, status="pending") == []


def test_a_printer_that_is_off_is_a_message_on_the_dashboard_and_the_notices_stay_pending(
        dashboard, uow, clock, listener) -> None:
    power_cut_over(uow, clock, {"G1": 120, "G2": 90}, after_minutes=30, lasting_minutes=20)
    listener.switch_off()
    with uow() as unit:
        first = min(notice.id for notice in notices.list_notices(unit, status="pending"))
    one = dashboard.post(f"/notices/{first}/print", data={"csrf_token": "t", "idempotency_key": "k1"},
                      follow_redirects=True)
    assert one.status_code == 200 and "printer is off" in one.get_data(as_text=True)
    every = dashboard.post("/notices/print-pending", data={"csrf_token": "t", "idempotency_key": "k2"},
                        follow_redirects=True)
    assert "0 receipts printed; not printed: seat G1, seat G2" in every.get_data(as_text=True)
    with uow() as unit:
        assert len(notices.list_notices(unit, status="pending")) == 2
