"""Batch adjudication of N claim lines (`claims.batch.claims_adjudicate`): lines/s end to
end (read, decide, write), the engine alone, peak RSS, ratio to a plain COPY.

    DATABASE_URL=postgres://… python -m benchmarks.bench_claims_batch --lines 1000000

Set-up (not timed, kept between runs of the same size): a mutual of about N
beneficiaries (the synthetic register import), each household covered by a
basic package with the rules of docs/claims-rules.md (co-payment per visit,
rates, yearly ceilings per beneficiary and household, count and frequency
limits, waiting period, referral and authorisation), 20 providers with
agreements and tariffs, a history of decided claims (about a tenth of the
lines, in January), then N/3 claims with N lines waiting in `entered`,
January to June, ~3 lines each. A run puts every claim back to `entered`
first, so runs are comparable.

Timed, in a fresh process (its peak RSS is its own): `claims_adjudicate` over
all of them; the engine's share is the time inside `adjudicate_in_order`. The
baseline is a COPY of the same N decided lines (the columns the batch writes)
into an unlogged table, in the same run. Target (issue 7): >= 100,000 lines/s
end to end, peak RSS < 2 GB, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from benchmarks._members_setup import django_setup, peak_rss_mb, write_result

D = Decimal
TODAY = date(2026, 6, 30)
CATALOGUE = [  # code, category, reference price, care
    ("CONS", "consultation", 2000, "both"), ("CONS-SP", "consultation", 5000, "both"),
    ("PARA", "medicine", 100, "both"), ("AMOX", "medicine", 150, "both"),
    ("ACT", "medicine", 1500, "both"), ("SRO", "medicine", 250, "both"),
    ("IBU", "medicine", 50, "both"), ("COTRI", "medicine", 75, "both"),
    ("LAB", "laboratory", 2500, "both"), ("NFS", "laboratory", 3000, "both"),
    ("GLYC", "laboratory", 1000, "both"), ("XRAY", "imaging", 15000, "both"),
    ("ECHO", "imaging", 10000, "both"), ("ANC", "antenatal", 3000, "out_patient"),
    ("DELIV", "delivery", 40000, "in_patient"), ("ADMIT", "admission", 10000, "in_patient"),
    ("GLASSES", "optics", 30000, "out_patient"), ("SURG", "surgery", 150000, "in_patient"),
]  # fmt: skip
COMMON = ["PARA", "AMOX", "ACT", "SRO", "IBU", "COTRI", "LAB", "NFS", "GLYC"]
RARE = ["XRAY", "ECHO", "ANC", "GLASSES", "CONS-SP"]
DIAGNOSES = ["J06.9", "A09", "B54", "K29.7", "N39.0", "R50.9", "J18.9", "L03.9"]


def engine_package(package_id: str):
    """The basic package of docs/claims-rules.md, as the engine sees it."""
    from mutualis.engine import benefits as eb

    year = eb.Window()
    return eb.PackageVersion(
        id="BENCH-2026", package_id=package_id, name="Basic", kind=eb.PackageKind.BASIC,
        effective_from=date(2024, 1, 1), currency="XOF",
        rules=(
            eb.BenefitRule("consultation", coverage=eb.Coverage(fixed_copay=D(200)),
                           by_member_category={"indigent": eb.Coverage.exempt()}),
            eb.BenefitRule("medicine", coverage=eb.Coverage(rate=D("0.8")),
                           ceilings=(eb.Ceiling(eb.Scope.BENEFICIARY, D(60000), year),)),
            eb.BenefitRule("laboratory", coverage=eb.Coverage(rate=D("0.8"))),
            eb.BenefitRule("imaging", coverage=eb.Coverage(rate=D("0.7")),
                           authorisation_required=True),
            eb.BenefitRule("admission", coverage=eb.Coverage(rate=D("0.9")),
                           referral_required=True, care_type=eb.CareType.IN_PATIENT),
            eb.BenefitRule("delivery", coverage=eb.Coverage.exempt(), waiting_days=270,
                           applicability=eb.Applicability(eb.Sex.FEMALE, 12, 55)),
            eb.BenefitRule("antenatal", coverage=eb.Coverage.exempt(),
                           count_limits=(eb.CountLimit(4, year, eb.CountUnit.VISITS),)),
            eb.BenefitRule("optics", coverage=eb.Coverage(rate=D("0.5")),
                           frequency=eb.CountLimit(1, eb.Window.rolling(730))),
            eb.BenefitRule("surgery", covered=False),
        ),
        ceilings=(
            eb.Ceiling(eb.Scope.BENEFICIARY, D(500000), year),
            eb.Ceiling(eb.Scope.HOUSEHOLD, D(1500000), year),
        ),
    )  # fmt: skip


def sources(package_id: int):
    """The package and catalogue for `claims.facts.override_sources`."""
    from mutualis.engine import benefits as eb

    version = engine_package(str(package_id))
    catalogue = {
        code: eb.CatalogueItem(code, cat, D(price), eb.CareType(care))
        for code, cat, price, care in CATALOGUE
    }
    return {
        "packages": lambda ids: (version,) if package_id in {int(i) for i in ids} else (),
        "catalogue": lambda mutual, codes=None: {
            k: v for k, v in catalogue.items() if codes is None or k in codes
        },
    }


def _copy(cur, table: str, columns: str, rows) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _ids(cur, table: str, n: int) -> list[int]:
    cur.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
    )
    return [r[0] for r in cur.fetchall()]


def prepare(lines: int, seed: int) -> tuple[str, int]:
    """The bench mutual for this size (built once); returns (code, package id)."""
    from django.db import connection, transaction

    from mutualis.benefits.models import Package
    from mutualis.claims.models import Claim
    from mutualis.core.models import User
    from mutualis.members.importer import import_frame
    from mutualis.members.management.commands.generate import synthetic_mutual
    from mutualis.members.models import Membership
    from mutualis.members.synthetic import generate_frame
    from mutualis.providers.models import Agreement, NegotiatedTariff, Provider

    code = f"BCB{lines // 1000}K"
    mutual = synthetic_mutual(code)
    package, _ = Package.objects.get_or_create(mutual=mutual, code="BASIC", name="Basic")
    if Claim.objects.filter(mutual=mutual).exists():
        return code, package.pk
    started = time.perf_counter()
    actor, _ = User.objects.get_or_create(username="bench-root", is_superuser=True)
    sections = list(mutual.children.values_list("code", flat=True))
    frame = generate_frame(persons=lines, seed=seed, sections=sections, on=date(2023, 6, 1))
    import_frame(actor=actor, mutual=mutual, frame=frame, on=date(2023, 6, 1), file_name="bench")
    del frame
    rng = random.Random(seed)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO members_coverageperiod (household_id, package_id, enrolled_on, start_on,"
            " expiry_on, status, created_at) SELECT id, %s, %s, %s, %s, 'active', now()"
            " FROM members_household WHERE mutual_id = %s",
            [package.pk, date(2023, 12, 1), date(2024, 1, 1), date(2026, 12, 31), mutual.pk],
        )
        providers = []
        for i in range(20):
            p = Provider.objects.create(
                organisation=mutual, code=f"{code}-P{i}", name=f"Provider {i}",
                kind="health_centre" if i % 4 else "hospital",
            )  # fmt: skip
            a = Agreement.objects.create(
                provider=p, reference=f"A{i}", valid_from=date(2024, 1, 1), reference_prices=True
            )
            NegotiatedTariff.objects.bulk_create(
                NegotiatedTariff(agreement=a, item_code=c, price=D(price) * D("0.9"))
                for c, _cat, price, _care in CATALOGUE[:: 2 if i % 2 else 1]
            )
            providers.append(p.pk)
        members = list(
            Membership.objects.filter(mutual=mutual).values_list("id", "household_id", "section_id")
        )
        n_claims = lines // 3
        history = n_claims // 10
        claim_ids = _ids(cur, "claims_claim", n_claims + history)
        claim_rows, line_rows = [], []
        left = lines
        for n, cid in enumerate(claim_ids):
            mid, hh, section = rng.choice(members)
            past = n >= n_claims
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(20 if past else 181))
            inpatient = rng.random() < 0.05
            k = 3 if past else min(left, max(1, round(rng.gauss(3, 1.2))))
            if not past:
                left -= k
                if n == n_claims - 1:
                    k += left
            codes = ["ADMIT" if inpatient else "CONS"]
            codes += [rng.choice(RARE if rng.random() < 0.08 else COMMON) for _ in range(k - 1)]
            if inpatient and rng.random() < 0.3:
                codes[-1] = "DELIV"
            claimed = D(0)
            for pos, item in enumerate(codes):
                price = next(p for c, _cat, p, _care in CATALOGUE if c == item)
                qty = 1 if price >= 1000 else rng.randint(1, 30)
                unit = D(price) * D(rng.choice(["0.9", "1", "1", "1.1"]))
                amount = unit * qty
                claimed += amount
                category = next(cat for c, cat, _p, _care in CATALOGUE if c == item)
                if past:
                    mutual_share = (amount * D("0.8")).quantize(D(1))
                    line_rows.append(
                        (cid, pos, item, category, qty, unit, start, "accepted", "[]", "[]", qty,
                         amount, amount, mutual_share, amount - mutual_share, 0, "provider",
                         package.pk, False)
                    )  # fmt: skip
                else:
                    line_rows.append(
                        (cid, pos, item, category, qty, unit, start, "", "[]", "[]", 0, amount,
                         0, 0, 0, 0, "", None, False)
                    )  # fmt: skip
            claim_rows.append(
                (mutual.pk, section, rng.choice(providers), mid, hh, "api", "", "", "",
                 "in_patient" if inpatient else "out_patient", start, None,
                 min(TODAY, start + timedelta(days=rng.randrange(10))),
                 f'["{rng.choice(DIAGNOSES)}"]',
                 "R1" if inpatient and rng.random() < 0.8 else "",
                 "A1" if rng.random() < 0.5 else "", "", None,
                 "accepted" if past else "entered", "XOF", claimed, claimed if past else 0,
                 0, 0, "provider" if past else "", actor.pk, cid)
            )  # fmt: skip
            if len(line_rows) > 200_000:
                _flush(cur, claim_rows, line_rows)
        _flush(cur, claim_rows, line_rows)
    print(f"set-up: {lines:,} lines in {time.perf_counter() - started:.0f} s")
    return code, package.pk


def _flush(cur, claim_rows: list, line_rows: list) -> None:
    _copy(
        cur,
        "claims_claim",
        "mutual_id, section_id, provider_id, membership_id, household_id, source,"
        " idempotency_key, fingerprint, provider_reference, care_type, start_on, end_on,"
        " submitted_on, diagnoses, referral, authorisation, episode, corrects_id, status,"
        " currency, claimed, accepted, mutual_share, member_share, payee, entered_by_id, id,"
        " created_at",
        ((*r, TODAY) for r in claim_rows),
    )
    _copy(
        cur,
        "claims_claimline",
        'claim_id, position, item_code, category, quantity, unit_price, "on", status, reasons,'
        " notes, accepted_quantity, claimed, accepted, mutual_share, member_share, deductible,"
        " payee, package_id, item_rule",
        line_rows,
    )
    claim_rows.clear()
    line_rows.clear()


def reset(code: str) -> int:
    """Every waiting claim of the bench back to `entered` (after an earlier run)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM core_organisation WHERE code = %s", [code])
        (mutual_id,) = cur.fetchone()
        cur.execute(
            "DELETE FROM claims_claimevent e USING claims_claim c WHERE e.claim_id = c.id"
            " AND c.mutual_id = %s AND c.decided_at IS NOT NULL",
            [mutual_id],
        )
        cur.execute(
            "UPDATE claims_claimline l SET status = '', reasons = '[]', notes = '[]',"
            " accepted_quantity = 0, accepted = 0, mutual_share = 0, member_share = 0,"
            " deductible = 0, payee = '', package_id = NULL FROM claims_claim c"
            " WHERE l.claim_id = c.id AND c.mutual_id = %s AND c.decided_at IS NOT NULL",
            [mutual_id],
        )
        cur.execute(
            "UPDATE claims_claim SET status = 'entered', accepted = 0, mutual_share = 0,"
            " member_share = 0, payee = '', decided_at = NULL"
            " WHERE mutual_id = %s AND decided_at IS NOT NULL",
            [mutual_id],
        )
        cur.execute(
            "SELECT count(*) FROM claims_claimline l JOIN claims_claim c ON c.id = l.claim_id"
            " WHERE c.mutual_id = %s AND c.status = 'entered'",
            [mutual_id],
        )
        return cur.fetchone()[0]


def plain_copy(n: int) -> float:
    """COPY of n decided lines (the columns the batch writes) into an unlogged table."""
    from django.db import connection

    row = (1, "accepted", '[{"code": "ceiling", "params": {}}]', "[]", 3, D("3000.00"),
           D("2700.00"), D("2160.00"), D("540.00"), D(0), "provider", 1, False)  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_plain_lines")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_plain_lines (id bigint, status varchar(20), reasons jsonb,"
            " notes jsonb, accepted_quantity integer, claimed numeric, accepted numeric,"
            " mutual_share numeric, member_share numeric, deductible numeric, payee varchar(8),"
            " package_id integer, item_rule boolean)"
        )
        started = time.perf_counter()
        with cur.copy("COPY bench_plain_lines FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((i, *row[1:]))
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE bench_plain_lines")
    return seconds


def _backend_cpu():
    """A function giving the CPU seconds the connection's PostgreSQL backend used since
    this call, when the server runs on this machine (/proc readable); else None. On a
    loaded machine CPU seconds move much less than wall time."""
    import os

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchone()
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    try:
        start = used()
    except OSError:
        return None
    return lambda: used() - start


def _child(code: str, package_id: int, profile: str, queue) -> None:
    django_setup()
    from mutualis.claims import batch, facts
    from mutualis.core.models import Organisation

    mutual = Organisation.objects.get(code=code)
    engine = [0.0]
    decide = batch.adjudicate_in_order

    def timed(items, context):
        started = time.perf_counter()
        try:
            return decide(items, context)
        finally:
            engine[0] += time.perf_counter() - started

    batch.adjudicate_in_order = timed
    backend = _backend_cpu()
    with facts.override_sources(**sources(package_id)):
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            import cProfile

            cProfile.runctx(
                "result = batch.claims_adjudicate(actor=None, mutual=mutual, today=TODAY)",
                globals(),
                scope := {"batch": batch, "mutual": mutual, "TODAY": TODAY},
                profile,
            )
            result = scope["result"]
        else:
            result = batch.claims_adjudicate(actor=None, mutual=mutual, today=TODAY)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    queue.put(
        {
            "seconds": seconds,
            "python_cpu_seconds": cpu,
            "postgres_cpu_seconds": backend() if backend else None,
            "engine_seconds": engine[0],
            "claims": result.claims,
            "lines": result.lines,
            "statuses": result.statuses,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", help="write a cProfile of the run to this file")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench_claims_batch: skipped (needs PostgreSQL: set DATABASE_URL)")
        return
    code, package_id = prepare(args.lines, args.seed)
    waiting = reset(code)
    connection.close()
    queue = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(
        target=_child, args=(code, package_id, args.profile or "", queue)
    )
    child.start()
    run = queue.get()
    child.join()
    base = min(plain_copy(run["lines"]) for _ in range(3))
    n = run["lines"]
    e2e, engine = n / run["seconds"], n / max(run["engine_seconds"], 1e-9)
    print(
        f"claims_adjudicate {run['claims']:,} claims, {n:,} lines (of {waiting:,} waiting) "
        f"in {run['seconds']:.1f} s: {e2e:,.0f} lines/s end to end; engine alone "
        f"{engine:,.0f} lines/s ({run['engine_seconds'] / run['seconds']:.0%} of the time); "
        f"plain COPY of the lines {n / base:,.0f} lines/s = {base / run['seconds']:.3f} x; "
        f"peak RSS {run['peak_rss_mb']:,.0f} MB; {run['statuses']}"
    )
    if run["postgres_cpu_seconds"] is not None:
        cpu = run["python_cpu_seconds"] + run["postgres_cpu_seconds"]
        print(
            f"CPU: Python {run['python_cpu_seconds']:.1f} s + PostgreSQL backend "
            f"{run['postgres_cpu_seconds']:.1f} s = {n / cpu:,.0f} lines per CPU second "
            f"(plain COPY {base:.2f} s wall)"
        )
    path = write_result(
        f"claims_batch_{args.lines}",
        {
            **run,
            "lines_per_s": round(e2e),
            "lines_per_cpu_s": round(
                n / (run["python_cpu_seconds"] + (run["postgres_cpu_seconds"] or 0))
            ),
            "engine_lines_per_s": round(engine),
            "plain_copy_lines_per_s": round(n / base),
            "ratio_to_plain_copy": round(base / run["seconds"], 4),
            "target": ">= 100,000 lines/s end to end, peak RSS < 2 GB",
        },
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
