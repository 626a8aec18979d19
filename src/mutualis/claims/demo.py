"""Demo claims: a few dozen claims of covered beneficiaries at the two demo providers,
entered through `claim_submit` (the health centre's agent keys its own; the claims
officer keys the hospital's paper batch) and decided by the rules. Some carry a price
above tariff or an excluded item so every outcome shows. Skips quietly without a
catalogue, agreements or covered members."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from mutualis.core.audit import acting_as

DIAGNOSES = ["J06.9", "A09", "B54", "K29.7", "N39.0", "R50.9", "J18.9", "L03.9"]
CONSULTATIONS = ["CONS-CS", "CONS-PS"]
COMMON = ["PARA500", "AMOX500", "ACT-ADU", "ACT-ENF", "SRO", "ZINC", "IBU400", "TDR-PALU",
          "GE", "NFS", "GLYC", "ECBU", "METRO", "COTRI"]  # fmt: skip


def load(ctx) -> None:
    from mutualis.members.models import CoveragePeriod, Membership
    from mutualis.providers.models import NegotiatedTariff

    from .batch import claim_defer
    from .services import ClaimInput, LineInput, batch_open, claim_submit, local_today

    providers = ctx.extra.get("providers") or []
    agent = ctx.users.get("agent.cs")
    officer = ctx.users.get("prestations")
    if len(providers) < 2 or agent is None or officer is None:
        return
    tariffs = {
        p.pk: dict(
            NegotiatedTariff.objects.filter(agreement__provider=p, price__isnull=False).values_list(
                "item_code", "price"
            )
        )
        for p in providers
    }
    if not all(tariffs.values()):
        return
    today = local_today(ctx.mutual)
    covered = list(
        CoveragePeriod.objects.filter(
            status="active", start_on__lte=today - timedelta(days=30), expiry_on__gte=today
        ).values_list("household_id", "start_on")[:400]
    )
    if not covered:
        return
    rng = random.Random(ctx.seed)
    starts = dict(covered)
    members = list(
        Membership.objects.filter(household_id__in=starts, status="active").values_list(
            "number", "household_id"
        )
    )
    rng.shuffle(members)
    centre, hospital = providers[0], providers[1]
    batch = batch_open(
        actor=officer,
        provider=hospital,
        mutual=ctx.mutual,
        reference=f"BR-{today:%Y-%m}",
        period=today,
        received_on=today,
        declared_count=1,
        declared_amount=Decimal(0),
    )
    consult = [c for c in CONSULTATIONS if c in tariffs[centre.pk]]
    common = [c for c in COMMON if c in tariffs[centre.pk]]
    if not consult or not common:
        return
    # A second paper batch of the hospital waits for the batch adjudication (*Decide
    # later*), so the claims officer's *Batch adjudication* page has work to show.
    waiting = batch_open(
        actor=officer,
        provider=hospital,
        mutual=ctx.mutual,
        reference=f"BR-{today:%Y-%m}-2",
        period=today,
        received_on=today,
        declared_count=1,
        declared_amount=Decimal(0),
    )
    for n, (number, household_id) in enumerate(members[:48]):
        deferred = n >= 36
        at_hospital = n % 4 == 3 or deferred
        provider = hospital if at_hospital else centre
        first = max(starts[household_id], today - timedelta(days=120))
        start = first + timedelta(days=rng.randrange(max(1, (today - first).days)))
        codes = [rng.choice(consult), *rng.sample(common, k=min(2, len(common)))]
        lines = []
        for i, code in enumerate(codes):
            price = tariffs[provider.pk].get(code, tariffs[centre.pk][code]).quantize(Decimal(1))
            if n % 5 == 0 and i == 0:
                price = (price * Decimal("1.25")).quantize(Decimal(1))  # above tariff: capped
            lines.append(LineInput(code, 1 if price > 500 else rng.randint(5, 20), price))
        if n % 6 == 1:
            lines.append(LineInput("DENT-EXT", 1, Decimal(3000)))  # excluded by the package
        data = ClaimInput(
            card_number=number,
            start_on=start,
            lines=tuple(lines),
            diagnoses=(rng.choice(DIAGNOSES),),
        )
        actor = officer if at_hospital else agent
        with acting_as(actor):
            try:
                (claim_defer if deferred else claim_submit)(
                    actor=actor,
                    provider=provider,
                    data=data,
                    key=f"demo-{n}",
                    source="paper" if at_hospital else "web",
                    batch=(waiting if deferred else batch) if at_hospital else None,
                    today=today,
                )
            except Exception:  # noqa: BLE001 - a demo member out of rules is skipped
                continue
    for paper in (batch, waiting):
        paper.declared_count = max(1, paper.claims.count())
        paper.declared_amount = sum(paper.claims.values_list("claimed", flat=True), Decimal(0))
        paper.save(update_fields=["declared_count", "declared_amount"])
    _review_demo(ctx, today)


def _review_demo(ctx, today) -> None:
    """Medical review settings of the demo mutual, and its sample of the demo claims."""
    from .models import Claim, ReviewSettings
    from .review import sample_for_review

    ReviewSettings.objects.update_or_create(
        mutual=ctx.mutual,
        defaults={"random_share": Decimal(10), "amount_above": Decimal(20000),
                  "four_eyes_above": Decimal(15000), "feedback_share": Decimal(20)},
    )  # fmt: skip
    ids = list(Claim.objects.filter(mutual=ctx.mutual).values_list("pk", flat=True))
    sample_for_review(mutual=ctx.mutual, claim_ids=ids)
