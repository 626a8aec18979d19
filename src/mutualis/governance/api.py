"""Governance endpoints: complaints and suggestions (members' voice).

POST /complaints files one (staff for a section they handle; a member for
themselves); GET /complaints lists those in the caller's scope.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from mutualis.core.errors import NotFound, ValidationFailed
from mutualis.core.models import Organisation, OrgKind
from mutualis.core.scope import in_scope
from mutualis.engine.governance import number_from_scan
from mutualis.members.models import Membership

from . import selectors, services
from .models import ComplaintChannel

router = Router(tags=["governance"])


class ComplaintIn(Schema):
    section_id: int | None = None
    member_number: str | None = None
    kind: str = "complaint"
    subject: str
    description: str
    from_name: str = ""
    received_on: date | None = None


class ComplaintOut(Schema):
    id: int
    section_id: int
    member_number: str | None
    kind: str
    channel: str
    subject: str
    description: str
    status: str
    received_on: date
    due_on: date
    acknowledged_on: date | None
    answered_on: date | None
    answer: str

    @staticmethod
    def resolve_member_number(obj) -> str | None:
        return obj.membership.number if obj.membership_id else None


def _membership(user, number: str | None) -> Membership | None:
    if not number:
        return None
    clean = number_from_scan(number)
    own = Membership.objects.filter(number=clean, person__user_id=user.pk)
    scoped = Membership.objects.filter(in_scope(user, "section"), number=clean)
    found = (own | scoped).select_related("person", "section").first()
    if found is None:
        raise ValidationFailed(fields={"member_number": _("Unknown member number.")})
    return found


@router.post("/complaints", response={201: ComplaintOut})
def complaint_create(request, payload: ComplaintIn):
    user = request.auth
    membership = _membership(user, payload.member_number)
    if payload.section_id is not None:
        section = Organisation.objects.filter(
            in_scope(user, "pk"), pk=payload.section_id, kind=OrgKind.SECTION
        ).first()
        if section is None:
            raise NotFound()
    elif membership is not None:
        section = membership.section
    else:
        raise ValidationFailed(fields={"section_id": _("Give the section or the member number.")})
    on = payload.received_on or selectors.local_today(section)
    complaint = services.complaint_submit(
        actor=user,
        section=section,
        membership=membership,
        kind=payload.kind,
        channel=ComplaintChannel.API,
        from_name=payload.from_name,
        subject=payload.subject,
        description=payload.description,
        received_on=on,
    )
    return Status(201, complaint)


@router.get("/complaints", response=list[ComplaintOut])
def complaint_list(request, status: str | None = None, limit: int = 100, offset: int = 0):
    qs = selectors.complaint_list(user=request.auth)
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 500))
    return list(qs[offset : offset + limit])


@router.get("/complaints/{complaint_id}", response=ComplaintOut)
def complaint_detail(request, complaint_id: int):
    return selectors.complaint_get(user=request.auth, complaint_id=complaint_id)
