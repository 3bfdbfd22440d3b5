"""The domain's closed vocabularies in the attendant's words: seat states, outage kinds, forms of credit.

The engine names things by enum values (``time_up``, ``bill_reduction``); the pages show those
names through ``name_of``, translated into the page's language. Every value of every enum listed
here has its words, so a new value cannot reach a page unnamed (a test checks it).
"""

from __future__ import annotations

from enum import StrEnum

from compensator.domain.kinds import (
    CompensationForm,
    DarkBasis,
    Delivery,
    EntryKind,
    Feedback,
    OutageKind,
    OutageSource,
    OutageStatus,
    Role,
    SessionMode,
    SessionState,
    TileState,
)
from compensator.domain.ups import UpsDisplay
from web.i18n import N_, gettext

PENDING = "pending"

VOCABULARIES: dict[type[StrEnum], dict[str, str]] = {
    TileState: {TileState.FREE: N_("Free"), TileState.RUNNING: N_("In session"), TileState.PAUSED: N_("Paused"),
                TileState.TIME_UP: N_("Time up")},
    OutageKind: {OutageKind.POWER: N_("power"), OutageKind.NETWORK: N_("network")},
    OutageSource: {OutageSource.MANUAL: N_("manual"), OutageSource.UPS: N_("UPS"),
                   OutageSource.HEARTBEAT: N_("heartbeats"), OutageSource.SERVER_GAP: N_("server gap"),
                   OutageSource.API: N_("API")},
    UpsDisplay: {UpsDisplay.ONLINE: N_("on mains"), UpsDisplay.ON_BATTERY: N_("on battery"),
                 UpsDisplay.NOT_ANSWERING: N_("monitor not answering"), UpsDisplay.UNKNOWN: N_("not heard from yet")},
    OutageStatus: {OutageStatus.SUSPECTED: N_("suspected"), OutageStatus.ONGOING: N_("ongoing"),
                   OutageStatus.ENDED: N_("ended"), OutageStatus.DISMISSED: N_("dismissed")},
    CompensationForm: {CompensationForm.TIME: N_("time"), CompensationForm.VOUCHER: N_("voucher"),
                       CompensationForm.BILL_REDUCTION: N_("bill reduction")},
    DarkBasis: {DarkBasis.SEAT_REPORT: N_("its PC's own report"), DarkBasis.HEARTBEATS: N_("its heartbeats"),
                DarkBasis.UPS_BATTERY: N_("UPS low battery"), DarkBasis.UPS_RATING: N_("UPS rating"),
                DarkBasis.NO_UPS: N_("no UPS"), DarkBasis.NETWORK: N_("network")},
    Role: {Role.ATTENDANT: N_("attendant"), Role.MANAGER: N_("manager")},
    Feedback: {Feedback.HAPPY: N_("happy"), Feedback.NEUTRAL: N_("neutral"), Feedback.UNHAPPY: N_("unhappy")},
    SessionMode: {SessionMode.PREPAID: N_("prepaid"), SessionMode.POSTPAID: N_("postpaid")},
    SessionState: {SessionState.RUNNING: N_("running"), SessionState.PAUSED: N_("paused"),
                   SessionState.TIME_UP: N_("time up"), SessionState.ENDED: N_("ended")},
    EntryKind: {EntryKind.PURCHASE: N_("purchase"), EntryKind.EXTENSION: N_("extension"),
                EntryKind.OUTAGE_CREDIT: N_("outage credit"), EntryKind.OUTAGE_TOPUP: N_("outage top-up"),
                EntryKind.MANUAL_CREDIT: N_("manual credit"), EntryKind.REVERSAL: N_("sale corrected"),
                EntryKind.VOUCHER_REDEMPTION: N_("voucher redeemed"),
                EntryKind.PRICE_CHANGE: N_("moved: price difference")},
}
# A notice's status is its delivery, or pending before it has one.
NOTICE_STATUSES = {PENDING: N_("pending"), Delivery.SHOWN: N_("shown"), Delivery.PRINTED: N_("printed"),
                   Delivery.DECLINED: N_("declined")}


def name_of(value: StrEnum) -> str:
    """The words for an enum value in the page's language."""
    return gettext(VOCABULARIES[type(value)][value])


def notice_status(status: str) -> str:
    """A notice's status (pending, shown, printed, declined) in the page's language."""
    return gettext(NOTICE_STATUSES[status])


def feedback_name(value: str) -> str:
    """A customer's reaction (happy, neutral, unhappy) in the page's language."""
    return name_of(Feedback(value))
