"""Redeeming vouchers: a voucher starts a session with its minutes, exactly once, before it expires."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compensator.domain import vouchers as codes
from compensator.domain.kinds import EntryKind
from compensator.errors import Conflict, InvalidInput, InvalidState, NotFound
from compensator.services import audit
from compensator.services.sessions import begin_session, finish_session_change
from compensator.services.session_views import SeatSessionView
from compensator.store.database import UnitOfWork
from compensator.store.models import Voucher, VoucherRedemption


def _find(uow: UnitOfWork, code: object) -> Voucher:
    if not isinstance(code, str):
        raise InvalidInput("a voucher code is required", field="code")
    canonical = codes.normalize(code)
    if canonical is None:
        raise InvalidInput("this is not a valid voucher code: check it for a typing mistake", field="code")
    voucher = uow.db.scalar(select(Voucher).where(Voucher.code == canonical).with_for_update())
    if voucher is None:
        raise NotFound("no voucher has this code", field="code")
    return voucher


def redeem_voucher(uow: UnitOfWork, code: object, *, seat_id: object, customer_name: object = None,
                   language: object = None, actor: str) -> SeatSessionView:
    """Start a prepaid session with the voucher's minutes on a free seat; a voucher works once."""
    voucher = _find(uow, code)
    if uow.db.scalar(select(VoucherRedemption.id).where(VoucherRedemption.voucher_id == voucher.id)) is not None:
        raise Conflict("this voucher has already been used", field="code")
    if voucher.expires_at <= uow.now():
        raise InvalidState("this voucher has expired", field="code")
    session_id = begin_session(uow, seat_id=seat_id, minutes=voucher.minutes, entry_kind=EntryKind.VOUCHER_REDEMPTION,
                               customer_name=customer_name, language=language, actor=actor,
                               note=f"voucher {codes.display(voucher.code)}", charge=False)
    try:
        with uow.db.begin_nested():
            uow.db.add(VoucherRedemption(voucher_id=voucher.id, seat_session_id=session_id, at=uow.now(),
                                         actor=actor))
            uow.db.flush()
    except IntegrityError:
        raise Conflict("this voucher has already been used", field="code") from None
    audit.record(uow, actor=actor, action="voucher.redeem", target_type="voucher", target_id=voucher.id,
                 after={"session": session_id, "minutes": voucher.minutes})
    return finish_session_change(uow, session_id, "session.start", actor, None)
