"""Appending to and verifying the audit chain. The only writer of AuditEvent."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from detoxflow.audit.models import AuditChainHead, AuditEvent, Outcome

if TYPE_CHECKING:
    from detoxflow.accounts.models import User

GENESIS_HASH = "0" * 64
KEYED = 2


def _canonical_address(address: str | None) -> str | None:
    # Stored IPv6 addresses are normalised by the database field; hash what will be stored.
    if address and ":" in address:
        return clean_ipv6_address(address)
    return address or None


def _payload(event: AuditEvent) -> bytes:
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
    if event.hash_version >= KEYED:
        payload["chain"] = event.chain
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _key() -> bytes:
    """AUDIT_HMAC_KEY, from the environment only: whoever holds the database alone cannot recompute a hash."""
    return str(settings.AUDIT_HMAC_KEY).encode()


def event_hash(event: AuditEvent) -> str:
    """The event's hash over every recorded field and the previous hash, in a fixed canonical form.

    Keyed (HMAC-SHA256) since hash_version 2, so a rewrite that recomputes every later hash needs the key
    too; events written before keep their plain SHA-256.
    """
    if event.hash_version >= KEYED:
        return hmac.new(_key(), _payload(event), hashlib.sha256).hexdigest()
    return hashlib.sha256(_payload(event)).hexdigest()


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
    """Append one event to its facility's chain, inside the caller's transaction if there is one.

    Only that chain's head row is locked, so one facility's writes never wait for another's.
    """
    facility = facility_id if facility_id is not None else getattr(actor, "facility_id", None)
    chain = facility or 0
    with transaction.atomic():
        head = _locked_head(chain)
        event = AuditEvent(
            at=timezone.now(),
            facility_id=facility,
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
            chain=chain,
            hash_version=KEYED,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        count = head.event_count + 1
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=event.hash, event_count=count)
        if count % settings.AUDIT_CHECKPOINT_EVERY == 0:
            # After commit: a checkpoint must never name a head that was rolled back.
            transaction.on_commit(lambda: write_checkpoint(chain, count, event.hash))
    return event


def _locked_head(chain: int) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        # The chain's first event: two at once both try to create the head; the unique chain lets one in.
        with transaction.atomic():
            AuditChainHead.objects.create(chain=chain, last_hash=GENESIS_HASH, event_count=0)
    except IntegrityError:
        pass
    return AuditChainHead.objects.select_for_update().get(chain=chain)


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
    """Walk every chain from its first event and report any edited, removed or inserted event.

    Events and heads are read in one snapshot (one repeatable-read transaction), so events appended while
    it runs are never mistaken for a break.
    """
    with _snapshot():
        heads = {h.chain: h for h in AuditChainHead.objects.all()}
        if events is None:
            events = AuditEvent.objects.order_by("chain", "pk").iterator(chunk_size=2000)
        return _walk(events, heads)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction whose reads all see the same moment: repeatable read on PostgreSQL (when it is the
    outermost transaction; nested, it shares its caller's), and SQLite's read transaction, which keeps
    writers' later commits out of view."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _walk(events: Iterable[AuditEvent], heads: dict[int, AuditChainHead]) -> ChainReport:
    problems: list[str] = []
    last: dict[int, str] = {}
    counts: dict[int, int] = {}
    keyed: set[int] = set()
    checked = 0
    for event in events:
        checked += 1
        # Unkeyed (version 1) hashes exist only at the start of chain 0, from before keyed hashing; one
        # anywhere else is a rewrite that recomputed hashes without the key.
        if event.hash_version < KEYED and (event.chain != 0 or event.chain in keyed):
            problems.append(f"event {event.pk}: an unkeyed hash where only keyed ones can be; it was rewritten")
        if event.hash_version >= KEYED:
            keyed.add(event.chain)
        expected_prev = last.get(event.chain, GENESIS_HASH)
        if event.prev_hash != expected_prev:
            problems.append(
                f"event {event.pk}: previous hash does not match; an event before it was removed or altered"
            )
        if event_hash(event) != event.hash:
            problems.append(f"event {event.pk}: contents do not match its hash; it was edited")
        last[event.chain] = event.hash
        counts[event.chain] = counts.get(event.chain, 0) + 1
    for chain in sorted(set(heads) | set(counts)):
        head = heads.get(chain) or AuditChainHead(chain=chain, last_hash=GENESIS_HASH, event_count=0)
        name = _chain_name(chain)
        if head.event_count != counts.get(chain, 0):
            problems.append(
                f"{name}: the chain head records {head.event_count} events but {counts.get(chain, 0)} are stored"
            )
        if head.last_hash != last.get(chain, GENESIS_HASH):
            problems.append(f"{name}: the newest event does not match the chain head; the last event was removed")
    return ChainReport(checked=checked, problems=tuple(problems))


def _chain_name(chain: int) -> str:
    return f"chain of facility {chain}" if chain else "chain 0 (no facility)"


# --- Checkpoints: the heads written, signed, to an append-only file outside the database -------------------


@dataclass(frozen=True)
class Checkpoint:
    """One signed line of the checkpoint file: a chain had `count` events, the last hashing to `head`."""

    chain: int
    count: int
    head: str
    at: str
    signature: str

    def body(self) -> bytes:
        return f"{self.chain}|{self.count}|{self.head}|{self.at}".encode()

    @property
    def signed_correctly(self) -> bool:
        expected = hmac.new(_key(), self.body(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)


def write_checkpoint(chain: int, count: int, head: str) -> Checkpoint:
    """Append one signed line to AUDIT_CHECKPOINT_FILE (opened for appending only, flushed to disk)."""
    at = timezone.now().astimezone(dt.UTC).isoformat()
    unsigned = Checkpoint(chain=chain, count=count, head=head, at=at, signature="")
    checkpoint = Checkpoint(
        chain=chain,
        count=count,
        head=head,
        at=at,
        signature=hmac.new(_key(), unsigned.body(), hashlib.sha256).hexdigest(),
    )
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"chain": chain, "count": count, "head": head, "at": at, "signature": checkpoint.signature})
    with path.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())
    return checkpoint


def write_checkpoints() -> list[Checkpoint]:
    """A checkpoint of every chain's head now (`manage.py audit checkpoint`, e.g. hourly from cron)."""
    return [write_checkpoint(h.chain, h.event_count, h.last_hash) for h in AuditChainHead.objects.order_by("chain")]


def read_checkpoints() -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, and a problem for each line that is not one."""
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    if not path.exists():
        return [], []
    checkpoints, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            data = json.loads(line)
            checkpoints.append(
                Checkpoint(
                    int(data["chain"]), int(data["count"]), str(data["head"]), str(data["at"]), str(data["signature"])
                )
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint file line {number} is not a checkpoint")
    return checkpoints, problems


def latest_checkpoints() -> dict[int, Checkpoint]:
    """The newest checkpoint per chain, for the audit page."""
    newest: dict[int, Checkpoint] = {}
    for checkpoint in read_checkpoints()[0]:
        newest[checkpoint.chain] = checkpoint
    return newest


def verify_checkpoints() -> ChainReport:
    """Hold the database against every signed checkpoint: the count-th event of the chain must still be there
    with the recorded hash. This catches what the chain alone cannot: the last events removed and the head
    reset to match, or the whole table rewritten by someone who also holds the key... up to the newest
    checkpoint (see README, threat model)."""
    checkpoints, problems = read_checkpoints()
    with _snapshot():
        heads = {h.chain: h for h in AuditChainHead.objects.all()}
        for checkpoint in checkpoints:
            name = _chain_name(checkpoint.chain)
            if not checkpoint.signed_correctly:
                problems.append(f"checkpoint of {name} at {checkpoint.at}: the signature is wrong; the file was edited")
                continue
            head = heads.get(checkpoint.chain)
            if checkpoint.count == 0:
                continue
            if head is None or head.event_count < checkpoint.count:
                stored = head.event_count if head else 0
                problems.append(
                    f"{name}: checkpoint at {checkpoint.at} saw {checkpoint.count} events; the database has {stored}"
                )
                continue
            hash_at_count = (
                AuditEvent.objects.filter(chain=checkpoint.chain)
                .order_by("pk")
                .values_list("hash", flat=True)[checkpoint.count - 1 : checkpoint.count]
                .first()
            )
            if hash_at_count != checkpoint.head:
                problems.append(
                    f"{name}: event {checkpoint.count} no longer matches the checkpoint of {checkpoint.at}; "
                    "events up to it were rewritten or removed"
                )
    return ChainReport(checked=len(checkpoints), problems=tuple(problems))


@contextmanager
def audit_maintenance() -> Iterator[None]:
    """Let the append-only triggers step aside, for `manage.py flush` only (tests and benchmarks empty the
    database). Whoever controls the database could do the same; the keyed hashes and checkpoints still
    tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET detoxflow.audit_maintenance = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO audit_maintenance (since) VALUES (datetime('now'))")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET detoxflow.audit_maintenance")
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM audit_maintenance")
