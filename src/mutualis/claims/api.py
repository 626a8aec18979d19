"""Claims API: submit a claim and get its decision at once, read claims, appeal a line.

`POST /claims` takes an `Idempotency-Key` header: the same claim posted twice
with the same key is one claim (201 the first time, 200 after).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Header, Router, Schema, Status

from mutualis.core.errors import ValidationFailed
from mutualis.core.scope import provider_ids
from mutualis.engine.money import currency
from mutualis.providers.selectors import provider_get

from . import batch, selectors, services
from .models import ClaimSource, ClaimStatus
from .reasons import note_text, reason_text

router = Router(tags=["claims"])


class LineIn(Schema):
    item: str
    quantity: int
    unit_price: Decimal
    on: date | None = None


class ClaimIn(Schema):
    card_number: str
    start_on: date
    lines: list[LineIn]
    diagnoses: list[str] = []
    care_type: str = "out_patient"
    end_on: date | None = None
    provider_id: int | None = None
    referral: str = ""
    authorisation: str = ""
    episode: str = ""
    provider_reference: str = ""
    corrects_id: int | None = None
    defer: bool = False  # store undecided, for the batch (docs/claims.md)


class ReasonOut(Schema):
    code: str
    message: str
    params: dict


class LineOut(Schema):
    position: int
    item: str
    quantity: int
    unit_price: str
    status: str
    accepted_quantity: int
    claimed: str
    accepted: str
    mutual_share: str
    member_share: str
    payee: str
    reasons: list[ReasonOut]
    notes: list[ReasonOut]


class ClaimOut(Schema):
    id: int
    status: str
    status_label: str
    provider_id: int
    card_number: str
    start_on: date
    end_on: date | None
    care_type: str
    currency: str
    claimed: str
    accepted: str
    mutual_share: str
    member_share: str
    payee: str
    corrects_id: int | None
    lines: list[LineOut]


class AppealIn(Schema):
    reason: str


def claim_out(claim, number: str | None = None) -> dict:
    cur = claim.currency
    q = currency(cur).quantize
    return {
        "id": claim.pk,
        "status": claim.status,
        "status_label": str(ClaimStatus(claim.status).label),  # no choices dict per call
        "provider_id": claim.provider_id,
        "card_number": number or claim.membership.number,
        "start_on": claim.start_on,
        "end_on": claim.end_on,
        "care_type": claim.care_type,
        "currency": cur,
        "claimed": str(q(claim.claimed)),
        "accepted": str(q(claim.accepted)),
        "mutual_share": str(q(claim.mutual_share)),
        "member_share": str(q(claim.member_share)),
        "payee": claim.payee,
        "corrects_id": claim.corrects_id,
        "lines": [
            {
                "position": ln.position + 1,
                "item": ln.item_code,
                "quantity": ln.quantity,
                "unit_price": str(ln.unit_price),
                "status": ln.status,
                "accepted_quantity": ln.accepted_quantity,
                "claimed": str(q(ln.claimed)),
                "accepted": str(q(ln.accepted)),
                "mutual_share": str(q(ln.mutual_share)),
                "member_share": str(q(ln.member_share)),
                "payee": ln.payee,
                "reasons": [
                    {"code": r["code"], "message": reason_text(r, cur), "params": r["params"]}
                    for r in ln.reasons
                ],
                "notes": [
                    {"code": n["code"], "message": note_text(n, cur), "params": n["params"]}
                    for n in ln.notes
                ],
            }
            for ln in claim.lines.all()
        ],
    }


def _provider_for(user, provider_id: int | None):
    if provider_id is None:
        mine = sorted(provider_ids(user))
        if len(mine) != 1:
            raise ValidationFailed(fields={"provider_id": _("Say which provider claims.")})
        provider_id = mine[0]
    return provider_get(user=user, provider_id=provider_id)


@router.post(
    "/claims",
    response={200: ClaimOut, 201: ClaimOut},
    summary="Submit a claim; it is adjudicated at once",
)
def submit_claim(
    request,
    payload: ClaimIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    user = request.auth
    provider = _provider_for(user, payload.provider_id)
    corrects = (
        selectors.claim_get(user=user, claim_id=payload.corrects_id)
        if payload.corrects_id
        else None
    )
    data = services.ClaimInput(
        card_number=payload.card_number,
        start_on=payload.start_on,
        end_on=payload.end_on,
        care_type=payload.care_type,
        diagnoses=tuple(payload.diagnoses),
        lines=tuple(
            services.LineInput(ln.item, ln.quantity, ln.unit_price, ln.on) for ln in payload.lines
        ),
        referral=payload.referral,
        authorisation=payload.authorisation,
        episode=payload.episode,
        provider_reference=payload.provider_reference,
    )
    claim = (batch.claim_defer if payload.defer else services.claim_submit)(
        actor=user,
        provider=provider,
        data=data,
        key=idempotency_key or "",
        source=ClaimSource.API,
        corrects=corrects,
    )
    return Status(200 if claim.replayed else 201, claim_out(claim, payload.card_number.strip()))


@router.get("/claims", response=list[ClaimOut], summary="Claims in scope, newest first")
def list_claims(request, status: str | None = None, limit: int = 50, offset: int = 0):
    qs = selectors.claim_list(user=request.auth).prefetch_related("lines")
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 200))
    return [claim_out(c) for c in qs[max(0, offset) : max(0, offset) + limit]]


@router.get("/claims/{claim_id}", response=ClaimOut)
def get_claim(request, claim_id: int):
    return claim_out(selectors.claim_get(user=request.auth, claim_id=claim_id))


@router.post("/claims/{claim_id}/lines/{position}/appeal", response={201: dict})
def appeal_line(request, claim_id: int, position: int, payload: AppealIn):
    line = selectors.line_get(user=request.auth, claim_id=claim_id, position=position - 1)
    appeal = services.line_appeal(actor=request.auth, line=line, reason=payload.reason)
    return Status(201, {"id": appeal.pk, "status": appeal.status})


from . import api_review  # noqa: E402,F401  (prior authorisation endpoints)
