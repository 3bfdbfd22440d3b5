"""Arithmetic on half-open time intervals ``(start, end)``: union, intersection, measure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypeVar

Span = tuple[datetime, datetime]
# The ends of an interval that ``merge`` joins: times, or running time since an origin (usage).
Point = TypeVar("Point", datetime, timedelta)


def merge(spans: Iterable[tuple[Point, Point]]) -> list[tuple[Point, Point]]:
    """The union of ``spans`` as sorted, disjoint spans; spans that touch are joined."""
    ordered = [span for span in spans if span[1] > span[0]]
    if len(ordered) < 2:
        return ordered
    ordered.sort()
    merged: list[tuple[Point, Point]] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def measure(spans: Iterable[Span]) -> timedelta:
    """The total length of the union of ``spans``."""
    return sum((end - start for start, end in merge(spans)), timedelta(0))


def clip(spans: Iterable[Span], window: Span) -> list[Span]:
    """The parts of ``spans`` inside ``window``."""
    # Written out rather than through helpers: the policy clips every session's spans to every outage's.
    low, high = window
    parts: list[Span] = []
    for start, end in spans:
        start, end = max(start, low), min(end, high)
        if end > start:
            parts.append((start, end))
    return parts


def touches(span: Span, other: Span) -> bool:
    """Whether two spans overlap or share an end point."""
    return span[0] <= other[1] and other[0] <= span[1]


def touching(spans: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """The spans of ``spans`` that touch (overlap or share an end point with) any of ``others``, in order."""
    # Written out rather than through ``touches``: the policy asks this of every session's stretches.
    others = list(others)
    found: list[Span] = []
    for span in spans:
        low, high = span
        for other in others:
            if low <= other[1] and other[0] <= high:
                found.append(span)
                break
    return found


def subtract(spans: Iterable[Span], removed: Iterable[Span]) -> list[Span]:
    """The parts of ``spans`` not covered by ``removed``."""
    result = merge(spans)
    for cut_start, cut_end in merge(removed):
        pieces: list[Span] = []
        for start, end in result:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if start < cut_start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def instant_after(spans: Iterable[Span], origin: datetime, amount: timedelta) -> datetime | None:
    """The moment at which ``amount`` of time inside ``spans`` has passed since ``origin``."""
    left = amount
    for start, end in merge(spans):
        start = max(start, origin)
        if end <= start:
            continue
        if end - start >= left:
            return start + left
        left -= end - start
    return None
