"""Appending to and verifying the audit chain. The only writer of AuditEvent."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from detoxflow.audit.models import AuditChainHead, AuditEvent, Outcome

if TYPE_CHECKING:
    from detoxflow.accounts.models import User

GENESIS_HASH = "0" * 64


def _canonical_address(address: str | None) -> str | None:
    # Stored IPv6 addresses are normalised by the database field; hash what will be stored.
    if address and ":" in address:
        return clean_ipv6_address(address)
    return address or None


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over every recorded field and the previous hash, in a fixed canonical form."""
    payload = {
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "facility_id": event.facility_id,
        "user_id": event.user_id,
        "user_name": event.user_name,
        "role": event.role,
        "patient_id": event.patient_id,
        "episode_id": event.episode_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_address": event.client_address,
        "outcome": event.outcome,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the outermost
    of them saw.

    A client can write anything into X-Forwarded-For, but each trusted proxy appends the address it
    received the request from, so only the last TRUSTED_PROXY_COUNT entries are believed. Sign-in
    throttling (AXES_CLIENT_IP_CALLABLE) and the audit trail both use this one answer.
    """
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = int(settings.TRUSTED_PROXY_COUNT)
    if proxies <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def record_event(
    *,
    actor: User | None,
    action: str,
    outcome: str = Outcome.SUCCESS,
    facility_id: int | None = None,
    patient_id: int | None = None,
    episode_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    address: str | None = None,
    detail: dict[str, Any] | None = None,
    user_name: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one."""
    with transaction.atomic():
        # get_or_create: a test database flushed between tests loses the row the migration made.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH, "event_count": 0}
        )
        event = AuditEvent(
            at=timezone.now(),
            facility_id=facility_id if facility_id is not None else getattr(actor, "facility_id", None),
            user=actor,
            user_name=user_name or (actor.username if actor else "anonymous"),
            role=actor.role if actor else "",
            patient_id=patient_id,
            episode_id=episode_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            client_address=_canonical_address(address),
            outcome=str(outcome),
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, event_count=head.event_count + 1)
    return event


def record_request_event(request: HttpRequest, action: str, **fields: Any) -> AuditEvent:
    """Append an event for the signed-in user of `request`, with its client address."""
    user = request.user if request.user.is_authenticated else None
    return record_event(actor=user, action=action, address=client_address(request), **fields)


@dataclass(frozen=True)
class ChainReport:
    """What `audit verify` found: how many events it checked and every break it saw."""

    checked: int
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainReport:
    """Walk the chain from the first event and report any edited, removed or inserted event."""
    if events is None:
        events = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    checked = 0
    for event in events:
        checked += 1
        if event.prev_hash != expected_prev:
            problems.append(
                f"event {event.pk}: previous hash does not match; an event before it was removed or altered"
            )
        if event_hash(event) != event.hash:
            problems.append(f"event {event.pk}: contents do not match its hash; it was edited")
        expected_prev = event.hash
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_hash=GENESIS_HASH, event_count=0)
    if head.event_count != checked:
        problems.append(f"the chain head records {head.event_count} events but {checked} are stored")
    if head.last_hash != expected_prev:
        problems.append("the newest event does not match the chain head; the last event was removed or altered")
    return ChainReport(checked=checked, problems=tuple(problems))
