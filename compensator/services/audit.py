"""Writes the audit log: every mutation, who made it, when, with the state before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from compensator.store.database import UnitOfWork
from compensator.store.models import AuditRecord


def record(
    uow: UnitOfWork,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit record to the unit of work (it is committed with the change it describes)."""
    uow.db.add(
        AuditRecord(
            at=uow.now(),
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            before=before,
            after=after,
        )
    )


def recent(uow: UnitOfWork, *, limit: int = 100, before: int | None = None) -> list[AuditRecord]:
    """The latest audit records, newest first: ``limit`` of them with ids below ``before``."""
    query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditRecord.id < before)
    return list(uow.db.scalars(query))
