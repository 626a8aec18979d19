"""Batch adjudication: decide every claim waiting in `entered` (DOMAIN §7, issue 7).

Claims wait in `entered` when they were stored to be decided later
(`claim_defer`: a paper batch keyed with "decide later", or an API call with
`"defer": true`). `claims_adjudicate` decides them with the same engine as
the single-claim path (`engine.adjudication.adjudicate_in_order`), in the
DOMAIN order of consumption (date of care, then claim number), chunk by chunk:

1. lock the chunk's claims (still `entered`) and their households' counter
   rows, as `claim_submit` does for one claim;
2. load the context in bulk: member facts at each claim's date, package
   versions, catalogue, agreements and tariffs, and every accepted line of
   the chunk's households (limits already consumed, duplicates);
3. decide in memory; a claim consumes limits before the next one of its
   household, so claims decided earlier in the run count, in a chunk (the
   engine's index) and across chunks (they are committed);
4. write set-based (PostgreSQL: COPY into temp tables, then `UPDATE … FROM`
   for claims, lines and counters, COPY of the `decided` events; SQLite:
   executemany) and commit.

Each chunk is one transaction: a run killed at any point leaves every claim
either `entered` or fully decided, and running again decides the rest exactly
as an uninterrupted run would have (tested with `kill -9` on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run
from mutualis.engine import benefits as eb
from mutualis.engine.adjudication import Claim as EngineClaim
from mutualis.engine.adjudication import ClaimContext, adjudicate_in_order
from mutualis.engine.adjudication import ClaimLine as EngineLine
from mutualis.engine.limits import Consumption
from mutualis.providers.selectors import agreement_facts

from . import facts, services
from .batch_facts import ChunkFacts, any_of
from .models import (
    Claim,
    ClaimLine,
    ClaimStatus,
    ConsumptionCounter,
    EventKind,
)
from .reasons import json_params
from .services import item_rule_lines, line_deductible

CHUNK = 5000  # claims per transaction (about 15,000 lines)
KIND = "claims.adjudicate"
# Test only: seconds to sleep after each chunk has committed (to kill a run mid-way).
PAUSE_ENV = "MUTUALIS_BATCH_PAUSE"
INTERRUPTED = "Interrupted: the run stopped before its end (a later run decides the rest)."
_LOCK_CLASS = 7007  # first key of the advisory lock of a mutual's run (PostgreSQL)


@dataclass
class BatchResult:
    batch_id: int | None = None
    claims: int = 0
    lines: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    mutual_share: Decimal = Decimal(0)


# --- Intake: store a claim undecided -------------------------------------------------


def claim_defer(**kwargs) -> Claim:
    """Store a claim as `entered`, checked at the edge like `claim_submit` but not decided;
    `claims_adjudicate` decides it later. A correction is always decided at once."""
    return services.claim_submit(**kwargs, defer=True)


# --- The batch ------------------------------------------------------------------------


def pending(*, mutual, until: date):
    """Claims of the mutual waiting for a decision, received on or before `until`."""
    return Claim.objects.filter(mutual=mutual, status=ClaimStatus.ENTERED, submitted_on__lte=until)


def claims_adjudicate(
    *,
    actor,
    mutual,
    until: date | None = None,
    today: date | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Decide every claim of `mutual` in `entered` received on or before `until` (default
    today), chunk by chunk, each chunk committed on its own. `actor` None: the system
    (command line)."""
    if actor is not None:
        require(actor, Perm.CLAIM_ADJUDICATE, on=mutual)
    today = today or services.local_today(mutual)
    until = until or today
    # The order of consumption (DOMAIN §7), fixed at the start: claims entered meanwhile
    # wait for the next run.
    order = list(
        pending(mutual=mutual, until=until).order_by("start_on", "id").values_list("id", flat=True)
    )
    total = ClaimLine.objects.filter(claim__in=pending(mutual=mutual, until=until)).count()
    result = BatchResult()
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    with (
        _one_run_at_a_time(mutual),
        batch_run(
            actor=actor,
            kind=KIND,
            organisation=mutual,
            parameters={"until": until.isoformat(), "today": today.isoformat(), "chunk": chunk},
            total=total,
        ) as log,
    ):
        result.batch_id = log.log.pk
        for start in range(0, len(order), chunk):
            ids = order[start : start + chunk]
            with transaction.atomic():
                done = _decide_chunk(mutual, ids, today, log.log.pk, result)
            log.advance(done)
            if progress is not None:
                progress(log.log.rows_done, total)
            if pause:
                time.sleep(pause)
        audit_record(
            actor=actor,
            action="claims.adjudicate",
            organisation=mutual,
            data={
                "batch": result.batch_id,
                "claims": result.claims,
                "lines": result.lines,
                "statuses": result.statuses,
            },
        )
    return result


@contextmanager
def _one_run_at_a_time(mutual):
    """Runs of one mutual one after the other (PostgreSQL: a session advisory lock, freed
    when the process dies). Holding it, no earlier run is alive: one still `running`
    was killed, so its log is closed as failed instead of staying `running` forever."""
    from mutualis.core.models import BatchLog, BatchStatus

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_CLASS, mutual.pk])
    try:
        if postgres:
            BatchLog.objects.filter(
                kind=KIND, organisation=mutual, status=BatchStatus.RUNNING
            ).update(
                status=BatchStatus.FAILED,
                finished_at=timezone.now(),
                message=INTERRUPTED,
            )
        yield
    finally:
        if postgres:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, mutual.pk])


def _after_decided(mutual, claim_ids: list[int]) -> None:
    """Called in each chunk's transaction once its decisions are written.

    Medical-review sampling: the sampled claims go *under review*, in the same
    transaction as their decisions, exactly as a single claim does.
    """
    from mutualis.claims.review import sample_for_review

    sample_for_review(mutual=mutual, claim_ids=claim_ids)


def _decide_chunk(mutual, ids: list[int], today: date, batch_id: int, result: BatchResult) -> int:
    """Decide and write one chunk (inside a transaction); returns the lines decided."""
    rows = list(
        Claim.objects.select_for_update()
        .filter(any_of("pk", ids), status=ClaimStatus.ENTERED)
        .order_by("pk")
        .values_list(
            "id", "membership_id", "household_id", "provider_id", "start_on", "end_on",
            "submitted_on", "care_type", "diagnoses", "referral", "authorisation",
            "corrects_id", "episode",
        )
    )  # fmt: skip
    if not rows:
        return 0
    households = sorted({r[2] for r in rows})
    _lock_households(households)

    lines: dict[int, list[tuple]] = {}
    for lid, cid, item, qty, price, on in (
        ClaimLine.objects.filter(any_of("claim_id", [r[0] for r in rows]))
        .order_by("claim_id", "position")
        .values_list("id", "claim_id", "item_code", "quantity", "unit_price", "on")
    ):
        lines.setdefault(cid, []).append((lid, item, qty, price, on))

    claims: list[EngineClaim] = []
    members: set[int] = set()
    codes: set[str] = set()
    diagnoses: set[str] = set()
    for (cid, mid, _hh, prov, start, end, submitted, care, dx, referral, authorisation,
         corrects, episode) in rows:  # fmt: skip
        claim_lines = lines.get(cid, [])
        codes.update(ln[1] for ln in claim_lines)
        diagnoses.update(dx or ())
        members.add(mid)
        claims.append(
            EngineClaim(
                id=str(cid),
                beneficiary_id=str(mid),
                provider_id=str(prov),
                start=start,
                submitted=submitted,
                lines=tuple(
                    EngineLine(item, qty, price, on) for _l, item, qty, price, on in claim_lines
                ),
                care_type=eb.CareType(care),
                end=end,
                diagnoses=tuple(dx or ()),
                referral=referral or None,
                authorisation=authorisation or None,
                corrects=str(corrects) if corrects else None,
                episode=episode or None,
            )
        )
    member_facts = ChunkFacts(members)
    package_ids = member_facts.package_ids()
    consumption, previous = _history(households)
    context = ClaimContext(
        catalogue=facts.catalogue(mutual.pk, codes),
        agreements=agreement_facts(sorted({r[3] for r in rows}), codes),
        members={},
        packages=facts.package_versions(package_ids),
        diagnoses=frozenset(d for d in diagnoses if facts.icd10_valid(d)),
        today=today,
        consumption=consumption,
        previous_claims=previous,
    )
    claims.sort(key=lambda c: (c.start, int(c.id)))
    decisions = adjudicate_in_order(
        ((c, member_facts.get((int(c.beneficiary_id), c.start))) for c in claims), context
    )
    household_of = {r[0]: r[2] for r in rows}
    n_lines = _write(decisions, lines, household_of, batch_id, result)
    _after_decided(mutual, [r[0] for r in rows])
    return n_lines


def _lock_households(households: list[int]) -> None:
    """Create missing counter rows and lock them all, in order (no deadlock between runs)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO claims_consumptioncounter (household_id, claims, accepted,"
                " mutual_share) SELECT unnest(%s::bigint[]), 0, 0, 0 ON CONFLICT DO NOTHING",
                [households],
            )
            cur.execute(
                "SELECT household_id FROM claims_consumptioncounter"
                " WHERE household_id = ANY(%s) ORDER BY household_id FOR UPDATE",
                [households],
            )
        return
    ConsumptionCounter.objects.bulk_create(
        [ConsumptionCounter(household_id=h) for h in households], ignore_conflicts=True
    )


def _history(households: list[int]) -> tuple[tuple, tuple]:
    """Every accepted line of these households' claims still in force: the consumption
    records and, for duplicates, the claims they belong to (as `facts.household_history`
    does for one household)."""
    rows = (
        ClaimLine.objects.filter(
            any_of("claim__household_id", households),
            accepted_quantity__gt=0,
            package_id__isnull=False,
        )
        .exclude(claim__status=ClaimStatus.REPLACED)
        .values_list(
            "claim_id", "claim__membership_id", "claim__household_id", "package_id", "category",
            "item_code", "on", "accepted_quantity", "claim__care_type", "claim__episode",
            "accepted", "mutual_share", "deductible", "item_rule", "claim__provider_id",
            "claim__start_on",
        )
    )  # fmt: skip
    records = []
    earlier: dict[int, tuple[int, int, date, list[str]]] = {}
    care_types = {c.value: c for c in eb.CareType}
    for (cid, mid, hh, pkg, cat, item, on, qty, care, episode, acc, mut, ded, item_rule,
         prov, start) in rows:  # fmt: skip
        records.append(
            Consumption(
                str(cid), str(mid), str(hh), str(pkg), cat, item, on, qty, care_types[care],
                episode or str(cid), acc, mut, ded, item_rule,
            )
        )  # fmt: skip
        seen = earlier.get(cid)
        if seen is None:
            earlier[cid] = (mid, prov, start, [item])
        else:
            seen[3].append(item)
    zero = Decimal(0)
    previous = tuple(
        EngineClaim(
            id=str(cid),
            beneficiary_id=str(mid),
            provider_id=str(prov),
            start=start,
            submitted=start,
            lines=tuple(EngineLine(item, 1, zero) for item in items),
        )
        for cid, (mid, prov, start, items) in earlier.items()
    )
    return tuple(records), previous


# --- Writing --------------------------------------------------------------------------


def _frozen(key, value) -> tuple:
    """A parameter as a cache key that tells apart what prints differently (1 and True,
    Decimal 1.0 and 1.00)."""
    if isinstance(value, Decimal):
        return key, Decimal, value.as_tuple()
    return key, type(value), value


def _reasons_json(items, cache: dict) -> str:
    """Reasons or notes as JSON text; the same few recur on thousands of lines."""
    if not items:
        return "[]"
    try:
        key = tuple((r.code, *(_frozen(k, v) for k, v in r.params.items())) for r in items)
        found = cache.get(key)
    except TypeError:  # a parameter that is not hashable
        key = found = None
    if found is None:
        found = json.dumps([{"code": r.code.value, "params": json_params(r.params)} for r in items])
        if key is not None:
            cache[key] = found
    return found


def _write(decisions, lines, household_of, batch_id: int, result: BatchResult) -> int:
    now = timezone.now()
    claim_rows, line_rows, event_rows = [], [], []
    counters: dict[int, list] = {}
    texts: dict = {}
    for d in decisions:
        cid = int(d.claim_id)
        status = ClaimStatus(d.status.value)
        claim_rows.append(
            (cid, status.value, d.claimed, d.accepted, d.mutual_share, d.member_share,
             d.payee.value)
        )  # fmt: skip
        ids = lines[cid]
        item_rules = item_rule_lines(d)
        for ld in d.lines:
            line_rows.append(
                (
                    ids[ld.index][0], ld.status.value, _reasons_json(ld.reasons, texts),
                    _reasons_json(ld.notes, texts), ld.accepted_quantity, ld.claimed, ld.accepted,
                    ld.mutual_share, ld.member_share, line_deductible(ld), ld.payee.value,
                    int(ld.package_id) if ld.package_id else None,
                    item_rules.get(ld.index, False),
                )
            )  # fmt: skip
        codes = sorted({r.code.value for ld in d.lines for r in ld.reasons})
        event_rows.append(
            (cid, now, None, EventKind.DECIDED.value, status.value,
             json.dumps({"by": "rules", "batch": batch_id, "reasons": codes,
                         "mutual_share": str(d.mutual_share)}))
        )  # fmt: skip
        # The claim was counted when it was entered (`claim_defer`); add what it consumed.
        c = counters.setdefault(household_of[cid], [Decimal(0), Decimal(0)])
        c[0] += d.accepted
        c[1] += d.mutual_share
        result.claims += 1
        result.statuses[status.value] = result.statuses.get(status.value, 0) + 1
        result.mutual_share += d.mutual_share
    counter_rows = [(hh, acc, mut) for hh, (acc, mut) in sorted(counters.items())]
    if connection.vendor == "postgresql":
        _write_postgres(claim_rows, line_rows, event_rows, counter_rows, now)
    else:
        _write_executemany(claim_rows, line_rows, event_rows, counter_rows, now)
    result.lines += len(line_rows)
    return len(line_rows)


_TEMP_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS tmp_claim_decision (
    id bigint, status varchar(20), claimed numeric, accepted numeric,
    mutual_share numeric, member_share numeric, payee varchar(8)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS tmp_counter_delta (
    household_id bigint, accepted numeric, mutual_share numeric
) ON COMMIT DELETE ROWS;
"""

_CLAIM_COLUMNS = "id, status, claimed, accepted, mutual_share, member_share, payee"
_LINE_COLUMNS = (
    "id, status, reasons, notes, accepted_quantity, claimed, accepted, mutual_share,"
    " member_share, deductible, payee, package_id, item_rule"
)
_LINE_TEMP_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS tmp_line_decision (
    id bigint, status varchar(20), reasons jsonb, notes jsonb, accepted_quantity integer,
    claimed numeric, accepted numeric, mutual_share numeric, member_share numeric,
    deductible numeric, payee varchar(8), package_id integer, item_rule boolean
) ON COMMIT DELETE ROWS;
"""


def line_decisions_write(line_rows: list[tuple]) -> None:
    """Write the decisions of claim lines, one row per line in `_LINE_COLUMNS` order
    (reasons and notes as JSON text): COPY + `UPDATE … FROM` on PostgreSQL, executemany
    on SQLite. Used by the batch and by medical review. Call inside a transaction."""
    with connection.cursor() as cur:
        _write_lines(cur, line_rows)


def _write_lines(cur, line_rows) -> None:
    if connection.vendor == "postgresql":
        cur.execute(_LINE_TEMP_TABLE)
        with cur.copy(f"COPY tmp_line_decision ({_LINE_COLUMNS}) FROM STDIN") as copy:
            for row in line_rows:
                copy.write_row(row)
        cur.execute(
            "UPDATE claims_claimline l SET status = t.status, reasons = t.reasons,"
            " notes = t.notes, accepted_quantity = t.accepted_quantity, claimed = t.claimed,"
            " accepted = t.accepted, mutual_share = t.mutual_share,"
            " member_share = t.member_share, deductible = t.deductible, payee = t.payee,"
            " package_id = t.package_id, item_rule = t.item_rule"
            " FROM tmp_line_decision t WHERE l.id = t.id"
        )
    else:
        cur.executemany(
            "UPDATE claims_claimline SET status = %s, reasons = %s, notes = %s,"
            " accepted_quantity = %s, claimed = %s, accepted = %s, mutual_share = %s,"
            " member_share = %s, deductible = %s, payee = %s, package_id = %s, item_rule = %s"
            " WHERE id = %s",
            [(*r[1:], r[0]) for r in line_rows],
        )


def _write_postgres(claim_rows, line_rows, event_rows, counter_rows, now) -> None:
    with connection.cursor() as cur:
        # A lost commit (server crash) loses whole chunks, which stay `entered` and are
        # decided again by the next run: no need to wait for each WAL flush.
        cur.execute("SET LOCAL synchronous_commit TO OFF")
        cur.execute(_TEMP_TABLES)
        for table, columns, rows in (
            ("tmp_claim_decision", _CLAIM_COLUMNS, claim_rows),
            ("tmp_counter_delta", "household_id, accepted, mutual_share", counter_rows),
            ("claims_claimevent", "claim_id, at, actor_id, kind, status, data", event_rows),
        ):
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cur.execute(
            "UPDATE claims_claim c SET status = t.status, claimed = t.claimed,"
            " accepted = t.accepted, mutual_share = t.mutual_share,"
            " member_share = t.member_share, payee = t.payee, decided_at = %s"
            " FROM tmp_claim_decision t WHERE c.id = t.id AND c.status = %s",
            [now, ClaimStatus.ENTERED],
        )
        if cur.rowcount != len(claim_rows):  # the rows are locked: cannot happen
            raise RuntimeError("claims changed while they were decided")
        _write_lines(cur, line_rows)
        cur.execute(
            "UPDATE claims_consumptioncounter k SET accepted = k.accepted + t.accepted,"
            " mutual_share = k.mutual_share + t.mutual_share"
            " FROM tmp_counter_delta t WHERE k.household_id = t.household_id"
        )


def _write_executemany(claim_rows, line_rows, event_rows, counter_rows, now) -> None:
    now = connection.ops.adapt_datetimefield_value(now)
    event_rows = [(cid, now, *rest) for cid, _at, *rest in event_rows]
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE claims_claim SET status = %s, claimed = %s, accepted = %s,"
            " mutual_share = %s, member_share = %s, payee = %s, decided_at = %s"
            " WHERE id = %s AND status = %s",
            [(*r[1:], now, r[0], ClaimStatus.ENTERED.value) for r in claim_rows],
        )
        _write_lines(cur, line_rows)
        cur.executemany(
            "INSERT INTO claims_claimevent (claim_id, at, actor_id, kind, status, data)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            event_rows,
        )
        cur.executemany(
            "UPDATE claims_consumptioncounter SET accepted = accepted + %s,"
            " mutual_share = mutual_share + %s WHERE household_id = %s",
            [(acc, mut, hh) for hh, acc, mut in counter_rows],
        )


# --- Reads and the background task of the batch page ----------------------------------


def waiting_summary(*, mutual, until: date) -> dict:
    """How many claims and lines wait for the batch, and since when."""
    claims = pending(mutual=mutual, until=until)
    first = claims.order_by("submitted_on").values_list("submitted_on", flat=True).first()
    return {
        "claims": claims.count(),
        "lines": ClaimLine.objects.filter(claim__in=claims).count(),
        "since": first,
    }


def runs(*, mutual):
    """The batch runs of the mutual, newest first (their progress is at /batches/<id>/)."""
    from mutualis.core.models import BatchLog

    return BatchLog.objects.filter(kind=KIND, organisation=mutual).select_related("actor")


@task()
def adjudicate_task(mutual_id: int, actor_id: int, until: str) -> int:
    """The batch run of the page's button, queued when many claims wait."""
    from mutualis.core.audit import acting_as
    from mutualis.core.models import Organisation, User

    mutual = Organisation.objects.get(pk=mutual_id)
    actor = User.objects.get(pk=actor_id)
    with acting_as(actor):
        return claims_adjudicate(
            actor=actor, mutual=mutual, until=date.fromisoformat(until)
        ).batch_id
