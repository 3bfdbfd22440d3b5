"""Notices to hand over: the delivery body, the list's query, and the notice as answered."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from compensator.domain.kinds import CompensationForm, Delivery, Feedback
from web.schemas.common import Time
from web.schemas.fields import ID_MAX, PAGE_DEFAULT, PAGE_MAX, Closed, Id, Query, Shape, query_int

PageLimit = query_int(1, PAGE_MAX)
Before = query_int(1, ID_MAX)


class NoticeStatus(StrEnum):
    """Where a notice stands: still to hand over, or how it was handed over last."""

    PENDING = "pending"
    SHOWN = "shown"
    PRINTED = "printed"
    DECLINED = "declined"


class DeliverNotice(Closed):
    """How the notice reached the customer, and what they made of it."""

    how: Delivery
    feedback: Feedback | None = None


class NoticesQuery(Query):
    """A page of notices, newest first, optionally of one status."""

    status: NoticeStatus | None = None
    limit: PageLimit = PAGE_DEFAULT
    before: Before | None = None


class NoticeQuery(Query):
    """``?format=`` renders the notice as text or HTML instead of JSON."""

    format: Literal["json", "text", "html"] = "json"


class NoticeDelivery(Shape):
    """One delivery record."""

    how: Delivery
    feedback: Feedback | None
    by: str
    at: Time


class Notice(Shape):
    """A notice with its delivery record."""

    id: Id
    compensation: Id
    outage: Id
    session: Id
    seat: str
    language: str
    status: NoticeStatus
    text: str
    credit_minutes: int
    form: CompensationForm
    voucher: str | None
    created_at: Time
    deliveries: list[NoticeDelivery]


class NoticePage(Shape):
    """A page of notices; ``next_before`` is the ``?before=`` of the next page, null on the last."""

    notices: list[Notice]
    next_before: Id | None
