"""The batch engine path decides the scenario file (tests/engine/scenarios) exactly as
the single-claim path: one claim at a time, its context rebuilt from what the claims
before it consumed (as `claim_submit` reloads it from the database)."""

from __future__ import annotations

import dataclasses

import pytest

from mutualis.engine.adjudication import adjudicate_claim, adjudicate_in_order, adjudicate_many
from tests.engine.test_scenarios import DATA, build


def one_at_a_time(claims, ctx) -> dict:
    """The single path: each claim alone, after the earlier ones were stored."""
    consumption, previous, out = list(ctx.consumption), list(ctx.previous_claims), {}
    for claim in sorted(claims, key=lambda c: (c.start, c.id)):
        alone = dataclasses.replace(
            ctx, consumption=tuple(consumption), previous_claims=tuple(previous)
        )
        decision = adjudicate_claim(claim, alone)
        out[claim.id] = decision
        consumption.extend(decision.consumption)
        kept = tuple(claim.lines[ln.index] for ln in decision.lines if ln.accepted_quantity)
        previous.append(dataclasses.replace(claim, lines=kept))
    return out


@pytest.mark.parametrize("scenario", DATA["scenario"], ids=lambda s: s["id"])
def test_batch_and_single_paths_decide_each_scenario_alike(scenario):
    claims, ctx = build(scenario)
    ordered = sorted(claims, key=lambda c: (c.start, c.id))

    batch = adjudicate_in_order(((c, ctx.members.get(c.beneficiary_id)) for c in ordered), ctx)

    single = one_at_a_time(claims, ctx)
    assert {d.claim_id: d for d in batch} == single
    assert {d.claim_id: d for d in adjudicate_many(claims, ctx)} == single
