"""The invariants of a crash load, checked against the database after the last kill.

Every keyed request of a run (``tests.support.crash_load``) ends with an answer; the database must be
exactly what those answers say, no more and no less:

- **nothing lost**: each success has its effect (the session it returned exists with the
  entry it listed, the event, delivery, redemption or outage it made), and the answer kept
  under its key is still there;
- **nothing doubled**: each effect is accounted for by one successful key (a session by the
  start that returned its id, an extension entry by the extension whose answer listed it,
  each event, delivery and audit row by one success of its kind on its target);
- **nothing refused after commit**: a request asked again after it was answered gets the same
  status and body, marked ``Idempotency-Replayed: true``; one whose first copy had committed
  before the kill (its key's row is older than the kill) is replayed too; and no effect is
  left that only a refused request could have made;
- **no half-applied outage**: only ended outages have compensations, but for a leaver's (made
  as its session ended in the dark, at the instant of its end); each applied one has exactly one
  credit entry or voucher (as its form says) and exactly one notice, and the other compensations
  of an ended outage are the ones its end answered with.

An effect with no successful key to account for it is blamed on the re-sent requests of its
kind and target: "refused after commit" when one of them was refused, else "doubled". The rows
read and what is reported (findings and figures) are in ``tests.support.crash_report``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from compensator.domain import vouchers
from tests.support.crash_client import KeyedRequest
from tests.support.crash_load import CrashRun, Kill
from tests.support.crash_report import (
    DOUBLED,
    HALF_APPLIED,
    LOST,
    OTHER,
    REFUSED_AFTER_COMMIT,
    Findings,
    Report,
    Snapshot,
    figures,
    read_snapshot,
)

# Session actions, each appending one event of its kind.
EVENT_ACTIONS = {"session.pause": "pause", "session.resume": "resume", "session.move": "move",
                 "session.end": "end"}


def check_run(run: CrashRun, database_url: str | None = None) -> Report:
    """Check a run's answers against its database (or against another copy of it)."""
    snapshot = read_snapshot(database_url or run.venue.database_url)
    findings = Findings()
    kills = {kill.round: kill for kill in run.kills}
    check_answers(findings, run.requests, snapshot, kills)
    check_sessions(findings, run.requests, snapshot)
    check_outages(findings, run.requests, snapshot)
    check_deliveries_and_redemptions(findings, run.requests, snapshot)
    check_audit(findings, run.requests, snapshot)
    return Report(findings, figures(run, snapshot, findings))


def _body(request: KeyedRequest) -> dict[str, Any]:
    answer = request.first_answer
    return answer.body if answer is not None and isinstance(answer.body, dict) else {}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# --- answers and keys -----------------------------------------------------------------------


def check_answers(findings: Findings, requests: list[KeyedRequest], snapshot: Snapshot,
                  kills: dict[int, Kill]) -> None:
    """Every answer is the key's one answer, kept under the key, and replayed once committed."""
    for request in requests:
        first = request.first_answer
        if first is None or first.status is None:
            findings.add(OTHER, "a request was never answered", [request])
            continue
        if any(answer.status is not None and answer.status >= 500 for answer in request.answers):
            findings.add(OTHER, "the server answered with a 5xx", [request])
        for later in request.answers[1:]:
            if later.replayed and (later.status, _canonical(later.body)) == (first.status, _canonical(first.body)):
                continue
            if request.succeeded and later.status is not None and 400 <= later.status < 500:
                findings.add(REFUSED_AFTER_COMMIT, "asked again after a success, the key was refused", [request])
            elif request.succeeded and not later.replayed:
                findings.add(DOUBLED, "asked again after a success, the request ran a second time", [request])
            else:
                findings.add(OTHER, "asked again, the key gave another answer", [request])
        record = snapshot.records.get(request.key)
        if record is None:
            findings.add(LOST, "the answer kept under the key is gone", [request])
            continue
        status, body, claimed_at = record
        if (status, _canonical(body)) != (first.status, _canonical(first.body)):
            findings.add(OTHER, f"the key keeps another answer ({status}) than the one sent", [request])
        kill = kills.get(request.round)
        if request.interrupted and kill is not None and claimed_at.timestamp() < kill.killed_at and not first.replayed:
            # The key's row is older than the kill, so the first copy committed before it: the
            # copy sent after the restart had to hear that first answer again.
            category = REFUSED_AFTER_COMMIT if request.refused else DOUBLED
            findings.add(category, "the first copy committed before the kill, but the re-sent copy ran again "
                                   "instead of hearing its answer", [request])


# --- sessions, their entries and events ------------------------------------------------------


def check_sessions(findings: Findings, requests: list[KeyedRequest], snapshot: Snapshot) -> None:
    """Sessions, their purchase, voucher and extension entries and their events match the answers."""
    starts = [request for request in requests if request.action in ("session.start", "voucher.redeem")]
    claims: dict[int, KeyedRequest] = {}
    for request in starts:
        if not request.succeeded:
            continue
        session_id = _body(request).get("id")
        if session_id in claims:
            findings.add(OTHER, f"two keys answered with session {session_id}", [claims[session_id], request])
        claims[session_id] = request
        if session_id not in snapshot.sessions:
            findings.add(LOST, f"session {session_id} was acknowledged but is not in the database", [request])
    for session_id, (seat, mode, started_at) in sorted(snapshot.sessions.items()):
        if session_id in claims:
            claimed = claims[session_id]
            assert claimed.body is not None
            expected_mode = "postpaid" if claimed.body.get("postpaid") else "prepaid"
            if (seat, mode) != (claimed.body["seat"], expected_mode):
                findings.add(OTHER, f"session {session_id} is a {mode} session on {seat}, not what its start asked",
                             [claimed])
            continue
        moment = started_at.timestamp()
        candidates = [request for request in starts if request.target == seat
                      or (request.body or {}).get("seat") == seat]
        # The request that made it was being sent when the session started.
        candidates = [request for request in candidates
                      if request.attempts and request.attempts[0].sent_at - 1 <= moment
                      <= request.attempts[-1].finished_at + 1] or candidates
        findings.blame(f"session {session_id} on {seat} (started {started_at:%H:%M:%S.%f}) was never acknowledged",
                       candidates)

    entries_by_session: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for entry_id, session_id, kind, minutes, _compensation in snapshot.entries:
        entries_by_session[session_id].append((entry_id, kind, minutes))
    for session_id, claimed in claims.items():
        if session_id not in snapshot.sessions:
            continue
        assert claimed.body is not None
        kind = "voucher_redemption" if claimed.action == "voucher.redeem" else "purchase"
        expected = 0 if claimed.body.get("postpaid") else 1
        found = [item for item in entries_by_session[session_id] if item[1] == kind]
        if len(found) < expected:
            findings.add(LOST, f"session {session_id} has no {kind} entry", [claimed])
        elif len(found) > expected:
            findings.blame(f"session {session_id} has {len(found)} {kind} entries", [claimed])
        elif kind == "purchase" and found and found[0][2] != claimed.body["minutes"]:
            findings.add(OTHER, f"session {session_id} bought {found[0][2]} minutes, not {claimed.body['minutes']}",
                         [claimed])
        unexpected = {item[1] for item in entries_by_session[session_id]} - {
            "purchase", "voucher_redemption", "extension", "outage_credit", "price_change"}
        if unexpected:
            findings.add(OTHER, f"session {session_id} has entries of kinds nobody asked for: {sorted(unexpected)}")
        # A move to a seat of another price re-prices the time left: a pair of entries, at most one per move.
        repriced = sum(item[1] == "price_change" for item in entries_by_session[session_id])
        moves = sum(event[0] == session_id and event[1] == "move" for event in snapshot.events)
        if repriced % 2 or repriced > 2 * moves:
            findings.add(OTHER, f"session {session_id} has {repriced} price_change entries for {moves} moves")

    extends: dict[int, list[KeyedRequest]] = defaultdict(list)
    for request in requests:
        if request.action == "session.extend" and isinstance(request.target, int):
            extends[request.target].append(request)
    for session_id in sorted(set(extends) | set(entries_by_session)):
        written = {entry_id: minutes for entry_id, kind, minutes in entries_by_session[session_id]
                   if kind == "extension"}
        claimed_entries: dict[int, KeyedRequest] = {}
        for request in extends[session_id]:
            if not request.succeeded:
                continue
            listed = [entry for entry in _body(request).get("entries", []) if entry.get("kind") == "extension"]
            # This session's requests are sent one at a time: the newest extension listed is this one's.
            entry = max(listed, key=lambda item: item["id"], default=None)
            if entry is None or entry["id"] in claimed_entries:
                findings.add(OTHER, f"the extension of session {session_id} lists no entry of its own", [request])
                continue
            claimed_entries[entry["id"]] = request
            assert request.body is not None
            if entry["id"] not in written:
                findings.add(LOST, f"extension entry {entry['id']} of session {session_id} was acknowledged but "
                                   "is not in the database", [request])
            elif written[entry["id"]] != request.body["minutes"]:
                findings.add(OTHER, f"extension entry {entry['id']} has {written[entry['id']]} minutes, "
                                    f"not {request.body['minutes']}", [request])
        for entry_id in sorted(set(written) - set(claimed_entries)):
            findings.blame(f"extension entry {entry_id} of session {session_id} was never acknowledged",
                           extends[session_id])

    events: Counter[tuple[int, str]] = Counter((session_id, kind) for session_id, kind, _ in snapshot.events)
    moves: dict[int, Counter[str | None]] = defaultdict(Counter)
    for session_id, kind, seat in snapshot.events:
        if kind == "move":
            moves[session_id][seat] += 1
    asked: dict[tuple[int, str], list[KeyedRequest]] = defaultdict(list)
    for request in requests:
        if request.action in EVENT_ACTIONS and isinstance(request.target, int):
            asked[(request.target, EVENT_ACTIONS[request.action])].append(request)
    for session_id, kind in sorted(set(asked) | set(events)):
        keys = asked[(session_id, kind)]
        successes = [request for request in keys if request.succeeded]
        found = events[(session_id, kind)]
        if found < len(successes):
            findings.add(LOST, f"session {session_id} has {found} {kind} event(s) for {len(successes)} "
                               "acknowledged request(s)", successes)
        elif found > len(successes):
            findings.blame(f"session {session_id} has {found} {kind} event(s) for {len(successes)} "
                           "acknowledged request(s)", keys)
        elif kind == "move":
            wanted = Counter((request.body or {}).get("seat") for request in successes)
            if wanted != moves[session_id]:
                findings.add(OTHER, f"session {session_id} moved to {dict(moves[session_id])}, "
                                    f"asked {dict(wanted)}", successes)


# --- outages and their compensations --------------------------------------------------------


def check_outages(findings: Findings, requests: list[KeyedRequest], snapshot: Snapshot) -> None:
    """Outages match the answers that opened and ended them, and every ended one is fully applied."""
    openings = [request for request in requests if request.action == "outage.start"]
    claims: dict[int, KeyedRequest] = {}
    for request in openings:
        answer = request.first_answer
        if answer is None or answer.status != 201:
            continue
        outage_id = _body(request).get("id")
        if outage_id in claims:
            findings.add(DOUBLED, f"two keys answered that they opened outage {outage_id}",
                         [claims[outage_id], request])
        claims[outage_id] = request
        if outage_id not in snapshot.outages:
            findings.add(LOST, f"outage {outage_id} was acknowledged but is not in the database", [request])
    endings: dict[int, list[KeyedRequest]] = defaultdict(list)
    for request in requests:
        if request.action == "outage.end" and isinstance(request.target, int):
            endings[request.target].append(request)
    for outage_id, (status, source) in sorted(snapshot.outages.items()):
        if source != "api":
            # The server's own sources (a gap in its liveness rows...) open outages no key asked for.
            continue
        if outage_id not in claims:
            findings.blame(f"outage {outage_id} was opened but no request was answered 201 for it",
                           [request for request in openings if _body(request).get("id") == outage_id] or openings)
        ended = [request for request in endings[outage_id] if request.succeeded]
        if ended and status != "ended":
            findings.add(LOST, f"outage {outage_id} is {status} although its end was acknowledged", ended)
        elif status == "ended" and not ended:
            findings.blame(f"outage {outage_id} is ended but no end was acknowledged", endings[outage_id])

    credits: dict[int, int] = Counter(compensation for _, _, kind, _, compensation in snapshot.entries
                                      if kind == "outage_credit" and compensation is not None)
    topups = [compensation for _, _, kind, _, compensation in snapshot.entries if kind == "outage_topup"]
    if topups:
        findings.add(OTHER, f"top-up entries although no outage was corrected: compensations {sorted(topups)}")
    vouchers_of: dict[int, int] = Counter(compensation for _, compensation in snapshot.vouchers.values()
                                          if compensation is not None)
    notices_of: dict[int, int] = Counter(compensation for _, compensation in snapshot.notices)
    by_outage: dict[int, set[int]] = defaultdict(set)
    pairs: Counter[tuple[int, int]] = Counter()
    for compensation_id, (outage_id, session_id, status, form) in sorted(snapshot.compensations.items()):
        by_outage[outage_id].add(compensation_id)
        pairs[(outage_id, session_id)] += 1
        outage_status = snapshot.outages.get(outage_id, ("missing", ""))[0]
        if outage_status != "ended" and compensation_id not in snapshot.leavers:
            findings.add(HALF_APPLIED, f"outage {outage_id} is {outage_status} but has compensation {compensation_id}",
                         endings[outage_id], subject=f"outage {outage_id}")
            continue
        credit, voucher, notice = credits.get(compensation_id, 0), vouchers_of.get(compensation_id, 0), \
            notices_of.get(compensation_id, 0)
        wanted = (0, 0, 0) if status != "applied" else (0, 1, 1) if form == "voucher" else (1, 0, 1)
        if (credit, voucher, notice) != wanted:
            category = DOUBLED if any(have > want for have, want in zip((credit, voucher, notice), wanted, strict=True)) \
                else HALF_APPLIED
            findings.add(category, f"compensation {compensation_id} ({status}, {form}) of outage {outage_id} has "
                                   f"{credit} credit entr(ies), {voucher} voucher(s) and {notice} notice(s)",
                         [request for request in endings[outage_id] if request.succeeded],
                         subject=f"outage {outage_id}" if category == HALF_APPLIED else None)
    for (outage_id, session_id), count in pairs.items():
        if count > 1:
            findings.add(DOUBLED, f"session {session_id} has {count} compensations for outage {outage_id}",
                         endings[outage_id])
    for outage_id, keys in sorted(endings.items()):
        written = by_outage.get(outage_id, set())
        for request in keys:
            if not request.succeeded:
                continue
            listed = {item["id"] for item in _body(request).get("compensations", [])}
            if listed - written:
                findings.add(LOST, f"the end of outage {outage_id} answered compensations {sorted(listed - written)} "
                                   "that are not in the database", [request])
            if written - listed - snapshot.leavers:
                findings.add(HALF_APPLIED, f"outage {outage_id} has compensations {sorted(written - listed - snapshot.leavers)} that "
                                           "its end did not answer with", [request], subject=f"outage {outage_id}")


# --- notices and vouchers --------------------------------------------------------------------


def check_deliveries_and_redemptions(findings: Findings, requests: list[KeyedRequest], snapshot: Snapshot) -> None:
    """Each notice has one delivery per acknowledged delivery; each voucher at most the redemption acknowledged."""
    delivered: Counter[int] = Counter(snapshot.deliveries)
    asked: dict[int, list[KeyedRequest]] = defaultdict(list)
    for request in requests:
        if request.action == "notice.deliver" and isinstance(request.target, int):
            asked[request.target].append(request)
    for notice_id in sorted(set(asked) | set(delivered)):
        successes = [request for request in asked[notice_id] if request.succeeded]
        if delivered[notice_id] < len(successes):
            findings.add(LOST, f"notice {notice_id} has {delivered[notice_id]} deliveries for {len(successes)} "
                               "acknowledged", successes)
        elif delivered[notice_id] > len(successes):
            findings.blame(f"notice {notice_id} has {delivered[notice_id]} deliveries for {len(successes)} "
                           "acknowledged", asked[notice_id])

    code_of = {voucher_id: code for voucher_id, (code, _) in snapshot.vouchers.items()}
    redeemed: dict[str, list[int]] = defaultdict(list)
    for voucher_id, session_id in snapshot.redemptions:
        redeemed[code_of[voucher_id]].append(session_id)
    redeems: dict[str, list[KeyedRequest]] = defaultdict(list)
    for request in requests:
        if request.action == "voucher.redeem" and isinstance(request.target, str):
            redeems[vouchers.normalize(request.target) or request.target].append(request)
    for code in sorted(set(redeems) | set(redeemed)):
        successes = [request for request in redeems[code] if request.succeeded]
        sessions = redeemed[code]
        if len(successes) > 1:
            findings.add(DOUBLED, f"voucher {vouchers.display(code)} was redeemed by {len(successes)} requests",
                         successes)
        elif successes and sessions != [_body(successes[0]).get("id")]:
            findings.add(LOST, f"voucher {vouchers.display(code)} was acknowledged as redeemed for session "
                               f"{_body(successes[0]).get('id')}, the database says {sessions}", successes)
        elif sessions and not successes:
            findings.blame(f"voucher {vouchers.display(code)} was redeemed but no redemption was acknowledged",
                           redeems[code])


# --- the audit log ---------------------------------------------------------------------------


def check_audit(findings: Findings, requests: list[KeyedRequest], snapshot: Snapshot) -> None:
    """The audit log has one row per acknowledged effect, of its action and on its target."""
    expected: Counter[tuple[str, str]] = Counter()
    keys: dict[tuple[str, str], list[KeyedRequest]] = defaultdict(list)
    voucher_of_session = {session_id: voucher_id for voucher_id, session_id in snapshot.redemptions}
    for request in requests:
        body = _body(request)
        if request.action in ("session.start", "voucher.redeem"):
            if request.succeeded:
                session = str(body.get("id"))
                expected[("session.start", session)] += 1
                keys[("session.start", session)].append(request)
                if request.action == "voucher.redeem" and body.get("id") in voucher_of_session:
                    voucher = str(voucher_of_session[body["id"]])
                    expected[("voucher.redeem", voucher)] += 1
                    keys[("voucher.redeem", voucher)].append(request)
        elif request.action == "outage.start":
            if request.first_answer is not None and request.first_answer.status == 201:
                expected[("outage.start", str(body.get("id")))] += 1
            keys[("outage.start", str(body.get("id")))].append(request)
        elif request.action == "outage.end":
            keys[("outage.end", str(request.target))].append(request)
        else:
            if request.succeeded:
                expected[(request.action, str(request.target))] += 1
            keys[(request.action, str(request.target))].append(request)
    for outage_id, (status, source) in snapshot.outages.items():
        if source == "api" and status == "ended":
            expected[("outage.end", str(outage_id))] = 1
    actions = {action for action, _ in expected} | {"session.start", "session.extend", "session.pause",
                                                   "session.resume", "session.move", "session.end", "outage.start",
                                                   "outage.end", "notice.deliver", "voucher.redeem"}
    # Outages the server opened from its own sources (a gap in its liveness rows...) are no request's.
    own = {str(outage_id) for outage_id, (_, source) in snapshot.outages.items() if source != "api"}
    found = Counter({item: count for item, count in snapshot.audit.items()
                     if item[0] in actions and not (item[0].startswith("outage.") and item[1] in own)})
    for item in sorted(set(expected) | set(found)):
        action, target = item
        if found[item] < expected[item]:
            findings.add(LOST, f"{found[item]} audit row(s) of {action} on {target} for {expected[item]} "
                               "acknowledged", [request for request in keys[item] if request.succeeded])
        elif found[item] > expected[item]:
            findings.blame(f"{found[item]} audit row(s) of {action} on {target} for {expected[item]} acknowledged",
                           keys[item])
