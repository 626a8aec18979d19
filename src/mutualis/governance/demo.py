"""Governance part of the demo mutual: statutes, positions, a past GA with its minutes,
current board mandates, a board meeting, a coming GA and a few complaints.

Runs after the members demo. Without members (adherents) it loads only the
statutes, positions, the coming GA and the complaints. Deterministic.
"""

from __future__ import annotations

from datetime import date

from mutualis.members.models import Membership, MembershipStatus

from . import services
from .models import Attendance, Body, Proxy, Statutes

PAST_GA = date(2025, 6, 14)


def load(ctx) -> None:
    manager = ctx.users["gerant"]
    mutual = ctx.mutual
    Statutes.objects.update_or_create(
        organisation=mutual, defaults={"max_proxies": 2, "notice_days": 15, "term_limit": 2}
    )
    positions = {}
    for body, title, seats in [
        (Body.BUREAU, "Président", 1),
        (Body.BUREAU, "Secrétaire général", 1),
        (Body.BUREAU, "Trésorier", 1),
        (Body.BOARD, "Administrateur", 6),
        (Body.CONTROL, "Membre du comité de surveillance", 3),
    ]:
        positions[title] = services.position_create(
            actor=manager, organisation=mutual, body=body, title=title, seats=seats
        )
    services.assembly_create(
        actor=manager,
        organisation=mutual,
        title="Assemblée générale ordinaire 2026",
        held_on=date(2026, 6, 13),
        place="Salle des fêtes de Thiès",
        agenda="Rapport moral 2025\nRapport financier et approbation des comptes 2025\n"
        "Budget 2026\nRenouvellement d'une partie du conseil d'administration",
        cutoff_on=date(2026, 5, 31),
    )
    _complaints(ctx)
    adherents = list(
        Membership.objects.filter(
            mutual=mutual,
            is_adherent=True,
            status=MembershipStatus.ACTIVE,
            joined_on__lte=date(2025, 5, 31),
        )
        .select_related("person")
        .order_by("number")[:400]
    )
    if len(adherents) < 12:
        return  # no member register loaded: nothing more to show
    _past_assembly(ctx, manager, positions, adherents)


def _complaints(ctx) -> None:
    clerks = [ctx.users.get(name) for name in ("guichet1", "guichet2")]
    if not all(clerks) or len(ctx.sections) < 2:
        return
    first = services.complaint_submit(
        actor=clerks[0],
        section=ctx.sections[0],
        from_name="Ndeye Diallo",
        subject="Attente trop longue au centre de santé",
        description="Trois heures d'attente pour une consultation de mon enfant.",
        received_on=date(2026, 3, 2),
    )
    services.complaint_acknowledge(actor=clerks[0], complaint=first, on=date(2026, 3, 3))
    services.complaint_answer(
        actor=clerks[0],
        complaint=first,
        answer="Le centre a ouvert un second guichet le matin pour les membres.",
        on=date(2026, 3, 20),
    )
    services.complaint_submit(
        actor=clerks[1],
        section=ctx.sections[1],
        kind="suggestion",
        from_name="Modou Faye",
        subject="Payer la cotisation par mobile money",
        description="Pouvoir payer la cotisation par Orange Money depuis le village.",
        received_on=date(2026, 4, 8),
    )


def _past_assembly(ctx, manager, positions, adherents) -> None:
    mutual = ctx.mutual
    ga = services.assembly_create(
        actor=manager,
        organisation=mutual,
        title="Assemblée générale ordinaire 2025",
        held_on=PAST_GA,
        place="Salle des fêtes de Thiès",
        agenda="Rapport moral 2024\nApprobation des comptes 2024\nBudget 2025\n"
        "Élection du conseil d'administration",
        cutoff_on=date(2025, 5, 31),
    )
    services.assembly_convene(actor=manager, assembly=ga, sent_on=date(2025, 5, 20))
    services.electorate_freeze(actor=manager, assembly=ga)
    voters = list(ga.voters.order_by("number"))
    if len(voters) < 12:
        return
    # Demo only: the check-in desk is written in bulk (the real desk goes through
    # services.check_in, one card at a time). 55 % present, 5 % by proxy.
    present = voters[: len(voters) * 55 // 100]
    Attendance.objects.bulk_create(
        [Attendance(assembly=ga, voter=v, call=1, by=manager) for v in present]
    )
    absent = voters[len(present) :]
    Proxy.objects.bulk_create(
        [
            Proxy(assembly=ga, giver=giver, holder=present[i])
            for i, giver in enumerate(absent[: len(voters) * 5 // 100])
        ]
    )
    power = len(present) + len(voters) * 5 // 100
    accounts = services.resolution_add(
        actor=manager, assembly=ga, kind="accounts", title="Approbation des comptes 2024"
    )
    services.resolution_record(
        actor=manager,
        resolution=accounts,
        votes_for=power - power // 10 - power // 30,
        against=power // 30,
        abstain=power // 10,
    )
    budget = services.resolution_add(
        actor=manager, assembly=ga, kind="budget", title="Adoption du budget 2025"
    )
    services.resolution_record(
        actor=manager,
        resolution=budget,
        votes_for=power - power // 20 - power // 25,
        against=power // 20,
        abstain=power // 25,
    )
    election = services.election_open(
        actor=manager, assembly=ga, position=positions["Administrateur"]
    )
    candidates = [
        services.candidate_add(actor=manager, election=election, number=m.number)
        for m in adherents[3:11]
    ]
    ballots = power - 10
    shares = [18, 16, 15, 14, 12, 11, 8, 6]
    votes = {
        c.pk: ballots * share // 100 * 6 // 5 for c, share in zip(candidates, shares, strict=True)
    }
    services.station_tally_record(
        actor=manager,
        election=election,
        station="Bureau unique",
        ballots=ballots,
        blank_or_spoilt=4,
        votes=votes,
    )
    services.election_decide(actor=manager, election=election)
    for title, member in zip(
        ("Président", "Secrétaire général", "Trésorier"), adherents[:3], strict=True
    ):
        services.mandate_create(
            actor=manager, position=positions[title], membership=member, start_on=PAST_GA
        )
    for member in adherents[11:14]:
        services.mandate_create(
            actor=manager,
            position=positions["Membre du comité de surveillance"],
            membership=member,
            start_on=date(2023, 6, 10),
        )
    services.assembly_close(
        actor=manager,
        assembly=ga,
        chair=str(adherents[0].person),
        secretary=str(adherents[1].person),
    )
    services.board_meeting_record(
        actor=manager,
        organisation=mutual,
        body=Body.BOARD,
        held_on=date(2025, 9, 6),
        place="Siège de la mutuelle, Thiès",
        agenda="Suivi des cotisations\nConvention avec l'hôpital régional",
        present=list(election.mandates.all()),
        decisions=[
            "Campagne de recouvrement des cotisations en octobre dans les trois sections.",
            "Mandat au président pour renégocier la convention avec l'hôpital régional.",
        ],
    )
