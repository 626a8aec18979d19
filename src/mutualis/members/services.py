"""Writes of the member register (DOMAIN §3): enrolment, beneficiaries, status, cover, cards.

Every change goes through a service here: keyword-only, `actor` first, atomic,
rights checked with `require`, audited. History is never deleted: a status change
is a new dated `MembershipStatusChange` (effective date + recorded time), an
identity correction leaves a historical row, a merge keeps both persons
(`merged_into`). The status and cover at any past date are computed from these
rows by `selectors.membership_status_on` and `selectors.household_cover_on`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import phonenumbers
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, ValidationFailed
from mutualis.core.models import Organisation, OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record

from . import numbers
from .models import (
    ENDED,
    TRANSITIONS,
    Card,
    CoveragePeriod,
    CoverageStatus,
    DuplicateCandidate,
    DuplicateStatus,
    Group,
    Household,
    MemberCategory,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
    Person,
    Relationship,
    Sex,
)
from .names import fold, normalise_name

ADULT_AGE = 18


# --- Errors ----------------------------------------------------------------------


class PossibleDuplicate(Conflict):
    code = "possible_duplicate"
    message = _(
        "{name} may already be registered ({count} similar person(s)). Check, then confirm."
    )

    def __init__(self, *, matches, **kwargs):
        self.matches = matches
        super().__init__(**kwargs)


class TransitionRefused(Conflict):
    code = "status_transition_refused"
    message = _("A member who is {current} cannot become {target}.")


class LaterChangeExists(Conflict):
    code = "later_status_change_exists"
    message = _(
        "A status change effective on {date} is already recorded; "
        "a new change cannot take effect before it."
    )


class NotAHead(ValidationFailed):
    code = "household_needs_one_head"
    message = _("A household has exactly one head.")


class SectionNotInMutual(ValidationFailed):
    code = "section_not_in_mutual"
    message = _("Choose a section of the same mutual.")


class MergeRefused(Conflict):
    code = "merge_refused"
    message = _("These two persons cannot be merged: {reason}")


# --- Inputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    """Identity and place in the household of one beneficiary, as typed by a clerk."""

    first_name: str
    last_name: str
    sex: str
    relationship: str = Relationship.CHILD
    birth_date: date | None = None
    birth_year: int | None = None
    national_id: str = ""
    phone: str = ""
    locality: str = ""
    address: str = ""
    category: str = ""
    is_adherent: bool | None = None  # None: statutes default (head, adult spouse)
    external_id: str = ""
    photo: object = None

    def year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


@dataclass
class EnrolResult:
    household: Household
    memberships: list[Membership] = field(default_factory=list)


def normalise_phone(phone: str, country: str) -> str:
    """'77 123 45 67' in Senegal -> '+221771234567'; raises ValueError when not a number."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, country or "SN")
    except phonenumbers.NumberParseException:
        raise ValueError(phone) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(phone)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _clean_person(p: PersonInput, *, prefix: str, country: str, on: date) -> PersonInput:
    """Validate one person; field errors are keyed `<prefix><field>`."""
    errors: dict[str, str] = {}
    first, last = (p.first_name or "").strip(), (p.last_name or "").strip()
    if not first:
        errors[prefix + "first_name"] = _("The first names are required.")
    if not last:
        errors[prefix + "last_name"] = _("The family name is required.")
    if p.sex not in Sex.values:
        errors[prefix + "sex"] = _("Choose female or male.")
    if p.relationship not in Relationship.values:
        errors[prefix + "relationship"] = _("Choose the relationship to the head.")
    if p.category and p.category not in MemberCategory.values:
        errors[prefix + "category"] = _("Unknown member category.")
    year = p.year()
    if p.birth_date and p.birth_date > on:
        errors[prefix + "birth_date"] = _("The date of birth is in the future.")
    elif year is not None and not (1900 <= year <= on.year):
        errors[prefix + "birth_year"] = _("The year of birth is not plausible.")
    try:
        phone = normalise_phone(p.phone, country)
    except ValueError:
        errors[prefix + "phone"] = _("This is not a phone number.")
        phone = ""
    if errors:
        raise ValidationFailed(fields=errors)
    return replace(
        p,
        first_name=" ".join(first.split()),
        last_name=" ".join(last.split()),
        birth_year=year,
        national_id=(p.national_id or "").strip().upper(),
        phone=phone,
        locality=(p.locality or "").strip(),
        address=(p.address or "").strip(),
    )


def _default_adherent(p: PersonInput, on: date) -> bool:
    """Statutes default (DOMAIN §3): the head and adult spouses subscribe and vote."""
    if p.is_adherent is not None:
        return p.is_adherent
    if p.relationship == Relationship.HEAD:
        return True
    year = p.year()
    return p.relationship == Relationship.SPOUSE and (year is None or on.year - year >= ADULT_AGE)


def _section_of(section: Organisation) -> Organisation:
    if section.kind != OrgKind.SECTION or section.parent is None:
        raise ValidationFailed(fields={"section": _("Choose a section.")})
    return section


# --- Duplicates ------------------------------------------------------------------


def likely_duplicates(*, mutual: Organisation, person: PersonInput, exclude_ids=()) -> list[Person]:
    """Persons of the mutual that may be `person` (DOMAIN §3): same national ID, or
    same normalised name + birth year + locality (accents and case ignored)."""
    found: dict[int, Person] = {}
    base = Person.objects.filter(mutual=mutual, merged_into__isnull=True).exclude(
        pk__in=list(exclude_ids)
    )
    if person.national_id:
        for other in base.filter(national_id=person.national_id.strip().upper()):
            found[other.pk] = other
    year = person.year()
    if year is not None:
        name = normalise_name(person.first_name, person.last_name)
        place = fold(person.locality)
        for other in base.filter(normalised_name=name, birth_year=year):
            if fold(other.locality) == place:
                found[other.pk] = other
    return list(found.values())


def _duplicate_reason(a: Person, b: Person) -> str:
    if a.national_id and a.national_id == b.national_id:
        return "national_id"
    return "name_birth_year_locality"


# --- Enrolment -------------------------------------------------------------------


def _new_person(p: PersonInput, mutual: Organisation) -> Person:
    return Person(
        mutual=mutual,
        first_name=p.first_name,
        last_name=p.last_name,
        sex=p.sex,
        birth_date=p.birth_date,
        birth_year=p.year(),
        national_id=p.national_id,
        phone=p.phone,
        locality=p.locality,
        address=p.address,
        external_id=p.external_id,
        normalised_name=normalise_name(p.first_name, p.last_name),
    )


def _record_status(membership, status, *, on: date, actor, reason="", note="") -> None:
    MembershipStatusChange.objects.create(
        membership=membership,
        status=status,
        effective_on=on,
        reason=reason,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _add_members(
    *,
    actor,
    household: Household,
    persons: list[PersonInput],
    category: str,
    joined_on: date,
    activate: bool,
    confirm_not_duplicate: bool,
    prefix: str = "persons.",
) -> list[Membership]:
    mutual = household.mutual
    cleaned = [
        _clean_person(p, prefix=f"{prefix}{i}.", country=mutual.country, on=joined_on)
        for i, p in enumerate(persons)
    ]
    if not confirm_not_duplicate:
        for p in cleaned:
            matches = likely_duplicates(mutual=mutual, person=p)
            if matches:
                raise PossibleDuplicate(
                    matches=matches, name=f"{p.first_name} {p.last_name}", count=len(matches)
                )
    numbers_ = numbers.reserve_beneficiary_numbers(len(cleaned))
    status = MembershipStatus.ACTIVE if activate else MembershipStatus.CANDIDATE
    out = []
    with acting_as(actor):
        for p, number in zip(cleaned, numbers_, strict=True):
            person = _new_person(p, mutual)
            if p.photo:
                person.photo = p.photo
            person.save()
            membership = Membership.objects.create(
                person=person,
                household=household,
                mutual=mutual,
                section=household.section,
                number=number,
                relationship=p.relationship,
                category=p.category or category,
                is_adherent=_default_adherent(p, joined_on),
                status=MembershipStatus.CANDIDATE,
                joined_on=joined_on,
            )
            _record_status(
                membership, MembershipStatus.CANDIDATE, on=joined_on, actor=actor, reason="enrol"
            )
            if activate:
                _record_status(membership, status, on=joined_on, actor=actor, reason="enrol")
                Membership.objects.filter(pk=membership.pk).update(status=status)
                membership.status = status
            out.append(membership)
    return out


@transaction.atomic
def household_enrol(
    *,
    actor,
    section: Organisation,
    persons: list[PersonInput],
    joined_on: date,
    category: str = MemberCategory.INFORMAL,
    group: Group | None = None,
    locality: str = "",
    address: str = "",
    activate: bool = False,
    confirm_not_duplicate: bool = False,
    external_id: str = "",
) -> EnrolResult:
    """Enrol a household: its head first, then the other beneficiaries.

    Every person gets a beneficiary number; the household its own number. A
    likely duplicate (same national ID; same name + birth year + locality) stops
    the enrolment with `PossibleDuplicate` until the clerk confirms.
    """
    section = _section_of(section)
    require(actor, Perm.MEMBER_EDIT, on=section)
    heads = [p for p in persons if p.relationship == Relationship.HEAD]
    if len(heads) != 1 or persons[0].relationship != Relationship.HEAD:
        raise NotAHead(fields={"persons.0.relationship": NotAHead.message})
    if category not in MemberCategory.values:
        raise ValidationFailed(fields={"category": _("Unknown member category.")})
    mutual = section.parent
    if group is not None and group.mutual_id != mutual.pk:
        raise ValidationFailed(fields={"group": _("This group belongs to another mutual.")})
    [number] = numbers.reserve_household_numbers(1)
    with acting_as(actor):
        household = Household.objects.create(
            mutual=mutual,
            section=section,
            number=number,
            group=group,
            locality=(locality or persons[0].locality or "").strip(),
            address=address.strip(),
            external_id=external_id,
        )
    memberships = _add_members(
        actor=actor,
        household=household,
        persons=persons,
        category=category,
        joined_on=joined_on,
        activate=activate,
        confirm_not_duplicate=confirm_not_duplicate,
    )
    with acting_as(actor):
        household.head = memberships[0].person
        household.save(update_fields=["head"])
    audit_record(
        actor=actor,
        action="household.enrol",
        target=household,
        organisation=section,
        data={"persons": len(memberships), "joined_on": joined_on.isoformat()},
    )
    return EnrolResult(household=household, memberships=memberships)


@transaction.atomic
def beneficiary_add(
    *,
    actor,
    household: Household,
    person: PersonInput,
    joined_on: date,
    activate: bool = False,
    confirm_not_duplicate: bool = False,
) -> Membership:
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    if person.relationship == Relationship.HEAD:
        raise NotAHead(fields={"relationship": NotAHead.message})
    head_category = (
        household.memberships.filter(person_id=household.head_id)
        .values_list("category", flat=True)
        .first()
    )
    [membership] = _add_members(
        actor=actor,
        household=household,
        persons=[person],
        category=head_category or MemberCategory.INFORMAL,
        joined_on=joined_on,
        activate=activate,
        confirm_not_duplicate=confirm_not_duplicate,
        prefix="",
    )
    audit_record(
        actor=actor,
        action="beneficiary.add",
        target=membership,
        organisation=household.section,
        data={"household": household.number},
    )
    return membership


# --- Status transitions ----------------------------------------------------------


def _transition(
    *, actor, membership: Membership, to: str, on: date, reason: str = "", note: str = ""
) -> Membership:
    """Record a dated transition after checking it is allowed (DOMAIN §3).

    A change may be backdated (a late payment reactivates from its value date) but
    not before a change already recorded: history is appended, never rewritten.
    """
    require(actor, Perm.MEMBER_EDIT, on=membership.section)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    last = membership.status_changes.order_by("-effective_on", "-recorded_at", "-id").first()
    if last and last.effective_on > on:
        raise LaterChangeExists(date=last.effective_on.isoformat())
    current = last.status if last else membership.status
    if to not in TRANSITIONS[current]:
        raise TransitionRefused(
            current=MembershipStatus(current).label, target=MembershipStatus(to).label
        )
    _record_status(membership, to, on=on, actor=actor, reason=reason, note=note)
    membership.status = to
    if to in ENDED:
        membership.left_on = on
    elif current in ENDED:
        membership.left_on = None
    with acting_as(actor):
        membership.save(update_fields=["status", "left_on"])
    audit_record(
        actor=actor,
        action=f"membership.{to}",
        target=membership,
        organisation=membership.section,
        data={"from": current, "to": to, "on": on.isoformat(), "reason": reason},
    )
    return membership


@transaction.atomic
def membership_activate(*, actor, membership: Membership, on: date, reason: str = "") -> Membership:
    return _transition(
        actor=actor, membership=membership, to=MembershipStatus.ACTIVE, on=on, reason=reason
    )


@transaction.atomic
def membership_suspend(
    *, actor, membership: Membership, on: date, reason: str = "arrears"
) -> Membership:
    return _transition(
        actor=actor, membership=membership, to=MembershipStatus.SUSPENDED, on=on, reason=reason
    )


@transaction.atomic
def membership_reactivate(
    *, actor, membership: Membership, on: date, reason: str = "payment"
) -> Membership:
    return _transition(
        actor=actor, membership=membership, to=MembershipStatus.ACTIVE, on=on, reason=reason
    )


@transaction.atomic
def membership_resign(
    *, actor, membership: Membership, on: date, reason: str = "resignation", note: str = ""
) -> Membership:
    return _transition(
        actor=actor,
        membership=membership,
        to=MembershipStatus.RESIGNED,
        on=on,
        reason=reason,
        note=note,
    )


@transaction.atomic
def membership_exclude(*, actor, membership: Membership, on: date, note: str = "") -> Membership:
    return _transition(
        actor=actor,
        membership=membership,
        to=MembershipStatus.EXCLUDED,
        on=on,
        reason="exclusion",
        note=note,
    )


@transaction.atomic
def beneficiary_remove(*, actor, membership: Membership, on: date, note: str = "") -> Membership:
    """A beneficiary leaves the household (marriage, moved away): the membership ends."""
    if membership.relationship == Relationship.HEAD:
        raise NotAHead(fields={"membership": _("The head cannot be removed; resign instead.")})
    return _transition(
        actor=actor,
        membership=membership,
        to=MembershipStatus.RESIGNED,
        on=on,
        reason="left_household",
        note=note,
    )


@transaction.atomic
def person_record_death(*, actor, person: Person, died_on: date) -> Person:
    """Death is per person: every open membership ends on the date of death."""
    open_ = list(person.memberships.filter(left_on__isnull=True))
    for m in open_:
        _transition(
            actor=actor, membership=m, to=MembershipStatus.DECEASED, on=died_on, reason="death"
        )
    if not open_:
        require(actor, Perm.MEMBER_EDIT, on=person.mutual)
    with acting_as(actor):
        person.died_on = died_on
        person.save(update_fields=["died_on"])
    return person


@transaction.atomic
def household_suspend(
    *, actor, household: Household, on: date, reason: str = "arrears"
) -> list[Membership]:
    """Arrears suspend the whole household (DOMAIN §3): every active beneficiary."""
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    return [
        _transition(actor=actor, membership=m, to=MembershipStatus.SUSPENDED, on=on, reason=reason)
        for m in household.memberships.filter(status=MembershipStatus.ACTIVE)
    ]


@transaction.atomic
def household_reactivate(
    *, actor, household: Household, on: date, reason: str = "payment"
) -> list[Membership]:
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    return [
        _transition(actor=actor, membership=m, to=MembershipStatus.ACTIVE, on=on, reason=reason)
        for m in household.memberships.filter(status=MembershipStatus.SUSPENDED)
    ]


@transaction.atomic
def household_resign(*, actor, household: Household, on: date, note: str = "") -> list[Membership]:
    """The whole household leaves the mutual."""
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    return [
        _transition(
            actor=actor,
            membership=m,
            to=MembershipStatus.RESIGNED,
            on=on,
            reason="resignation",
            note=note,
        )
        for m in household.memberships.filter(left_on__isnull=True)
    ]


@transaction.atomic
def household_transfer(
    *, actor, household: Household, section: Organisation, on: date
) -> Household:
    """Move a household (and its open memberships) to another section of the mutual."""
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    require(actor, Perm.MEMBER_EDIT, on=section)
    if section.kind != OrgKind.SECTION or section.parent_id != household.mutual_id:
        raise SectionNotInMutual(fields={"section": SectionNotInMutual.message})
    if section.pk == household.section_id:
        raise ValidationFailed(fields={"section": _("The household is already in this section.")})
    before = household.section
    with acting_as(actor):
        household.section = section
        household.save(update_fields=["section"])
        for m in household.memberships.filter(left_on__isnull=True):
            m.section = section
            m.save(update_fields=["section"])
    for org in (before, section):
        audit_record(
            actor=actor,
            action="household.transfer",
            target=household,
            organisation=org,
            data={"from": before.code, "to": section.code, "on": on.isoformat()},
        )
    return household


# --- Identity --------------------------------------------------------------------

CORRECTABLE = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_year",
    "national_id",
    "phone",
    "locality",
    "address",
)


@transaction.atomic
def person_correct(*, actor, person: Person, on: date, photo=None, **changes) -> Person:
    """Correct an identity; the previous values stay in the person's history."""
    section = person.memberships.order_by("-joined_on").values_list("section", flat=True).first()
    target = Organisation.objects.get(pk=section) if section else person.mutual
    require(actor, Perm.MEMBER_EDIT, on=target)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationFailed(fields={k: _("This field cannot be changed.") for k in unknown})
    current = PersonInput(
        first_name=person.first_name,
        last_name=person.last_name,
        sex=person.sex,
        relationship=Relationship.HEAD,
        birth_date=person.birth_date,
        birth_year=person.birth_year,
        national_id=person.national_id,
        phone=person.phone,
        locality=person.locality,
        address=person.address,
    )
    if "birth_date" in changes and changes["birth_date"] and "birth_year" not in changes:
        changes["birth_year"] = None
    wanted = _clean_person(
        replace(current, **changes), prefix="", country=person.mutual.country, on=on
    )
    changed = [f for f in CORRECTABLE if getattr(wanted, f) != getattr(person, f)]
    with acting_as(actor):
        for f in changed:
            setattr(person, f, getattr(wanted, f))
        if photo is not None:
            person.photo = photo
            changed.append("photo")
        person.normalised_name = normalise_name(person.first_name, person.last_name)
        person.save()
    audit_record(
        actor=actor,
        action="person.correct",
        target=person,
        organisation=target,
        data={"fields": changed},
    )
    return person


@transaction.atomic
def persons_merge(*, actor, keep: Person, duplicate: Person, on: date) -> Person:
    """Merge a confirmed duplicate into `keep`.

    Nothing is deleted: the duplicate is marked `merged_into`; its open
    memberships move to `keep` when `keep` has none in that mutual, else they end
    (resigned, reason "duplicate"). Blank identity fields of `keep` are filled.
    """
    if keep.pk == duplicate.pk:
        raise MergeRefused(reason=_("it is the same person."))
    if keep.mutual_id != duplicate.mutual_id:
        raise MergeRefused(reason=_("they are registered by different mutuals."))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise MergeRefused(reason=_("one of them was already merged."))
    for p in (keep, duplicate):
        sections = p.memberships.values_list("section", flat=True).distinct()
        orgs = Organisation.objects.filter(pk__in=sections) if sections else [p.mutual]
        for org in orgs:
            require(actor, Perm.MEMBER_EDIT, on=org)
    kept_mutuals = set(
        keep.memberships.filter(left_on__isnull=True).values_list("mutual", flat=True)
    )
    moved, ended = [], []
    for m in duplicate.memberships.filter(left_on__isnull=True):
        if m.mutual_id in kept_mutuals:
            _transition(
                actor=actor, membership=m, to=MembershipStatus.RESIGNED, on=on, reason="duplicate"
            )
            ended.append(m.number)
        else:
            with acting_as(actor):
                m.person = keep
                m.save(update_fields=["person"])
            moved.append(m.number)
    with acting_as(actor):
        for f in ("national_id", "phone", "birth_date", "birth_year", "locality", "address"):
            if not getattr(keep, f) and getattr(duplicate, f):
                setattr(keep, f, getattr(duplicate, f))
        if not keep.photo and duplicate.photo:
            keep.photo = duplicate.photo
        if keep.user_id is None and duplicate.user_id is not None:
            user = duplicate.user
            duplicate.user = None
            duplicate.save(update_fields=["user"])
            keep.user = user
        keep.save()
        duplicate.merged_into = keep
        duplicate.save(update_fields=["merged_into"])
        Household.objects.filter(head=duplicate).update(head=keep)
    DuplicateCandidate.objects.filter(
        Q(person=keep, other=duplicate) | Q(person=duplicate, other=keep)
    ).update(status=DuplicateStatus.MERGED, resolved_at=timezone.now())
    audit_record(
        actor=actor,
        action="person.merge",
        target=keep,
        organisation=keep.mutual,
        data={"duplicate": duplicate.pk, "moved": moved, "ended": ended},
    )
    return keep


@transaction.atomic
def duplicate_dismiss(*, actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    require(actor, Perm.MEMBER_EDIT, on=candidate.mutual)
    candidate.status = DuplicateStatus.DISMISSED
    candidate.resolved_at = timezone.now()
    candidate.save(update_fields=["status", "resolved_at"])
    audit_record(
        actor=actor, action="duplicate.dismiss", target=candidate, organisation=candidate.mutual
    )
    return candidate


# --- Groups and cover ------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    actor,
    mutual: Organisation,
    name: str,
    kind: str,
    contract_reference: str = "",
    contact_name: str = "",
    phone: str = "",
) -> Group:
    require(actor, Perm.MEMBER_EDIT, on=mutual)
    if not name.strip():
        raise ValidationFailed(fields={"name": _("The name is required.")})
    with acting_as(actor):
        group = Group.objects.create(
            mutual=mutual,
            name=name.strip(),
            kind=kind,
            contract_reference=contract_reference,
            contact_name=contact_name,
            phone=phone,
        )
    audit_record(actor=actor, action="group.create", target=group, organisation=mutual)
    return group


@transaction.atomic
def coverage_period_open(
    *,
    actor,
    household: Household,
    package,
    start_on: date,
    expiry_on: date,
    enrolled_on: date | None = None,
    status: str = CoverageStatus.ACTIVE,
    membership: Membership | None = None,
    renewal_of: CoveragePeriod | None = None,
) -> CoveragePeriod:
    """Open a coverage period of a household (or one beneficiary) for a package."""
    require(actor, Perm.MEMBER_EDIT, on=household.section)
    if package.mutual_id != household.mutual_id:
        raise ValidationFailed(fields={"package": _("This package belongs to another mutual.")})
    if expiry_on < start_on:
        raise ValidationFailed(fields={"expiry_on": _("The cover ends before it starts.")})
    overlap = CoveragePeriod.objects.filter(
        household=household,
        package=package,
        membership=membership,
        start_on__lte=expiry_on,
        expiry_on__gte=start_on,
    ).exclude(status=CoverageStatus.EXPIRED, expiry_on__lt=start_on)
    if overlap.exists():
        raise Conflict(_("This household already has this package over these dates."))
    with acting_as(actor):
        period = CoveragePeriod.objects.create(
            household=household,
            membership=membership,
            package=package,
            enrolled_on=enrolled_on or start_on,
            start_on=start_on,
            expiry_on=expiry_on,
            status=status,
            renewal_of=renewal_of,
        )
    audit_record(
        actor=actor,
        action="coverage.open",
        target=period,
        organisation=household.section,
        data={"package": package.code, "from": start_on.isoformat(), "to": expiry_on.isoformat()},
    )
    return period


@transaction.atomic
def coverage_period_renew(
    *, actor, period: CoveragePeriod, expiry_on: date, status: str = CoverageStatus.IDLE
) -> CoveragePeriod:
    """The next period of the same cover, starting the day after this one ends."""
    from datetime import timedelta

    return coverage_period_open(
        actor=actor,
        household=period.household,
        package=period.package,
        membership=period.membership,
        start_on=period.expiry_on + timedelta(days=1),
        expiry_on=expiry_on,
        enrolled_on=period.expiry_on,
        status=status,
        renewal_of=period,
    )


@transaction.atomic
def coverage_period_set_status(*, actor, period: CoveragePeriod, status: str) -> CoveragePeriod:
    require(actor, Perm.MEMBER_EDIT, on=period.household.section)
    if status not in CoverageStatus.values:
        raise ValidationFailed(fields={"status": _("Unknown status.")})
    before = period.status
    with acting_as(actor):
        period.status = status
        period.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="coverage.status",
        target=period,
        organisation=period.household.section,
        data={"from": before, "to": status},
    )
    return period


# --- Cards -----------------------------------------------------------------------


@transaction.atomic
def card_issue(*, actor, membership: Membership, on: date, reason: str = "") -> Card:
    """Issue a card; any valid card of the member is revoked (loss, reprint)."""
    require(actor, Perm.MEMBER_EDIT, on=membership.section)
    if membership.status in ENDED:
        raise Conflict(_("No card for a member who has left."))
    now = timezone.now()
    revoked = Card.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason or "reprint"
    )
    last = Card.objects.filter(membership=membership).aggregate(m=Max("serial"))["m"] or 0
    from .selectors import cover_until

    card = Card.objects.create(
        membership=membership,
        serial=last + 1,
        valid_until=cover_until(membership=membership, on=on),
    )
    audit_record(
        actor=actor,
        action="card.issue",
        target=card,
        organisation=membership.section,
        data={"number": membership.number, "serial": card.serial, "revoked": revoked},
    )
    return card
