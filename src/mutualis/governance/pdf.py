"""PDF and CSV documents of a General Assembly: minutes, convocation letters, SMS list.

Rendered from what was recorded, with WeasyPrint (fonts: DejaVu / Liberation).
"""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mutualis.core.documents import html_to_pdf

from .models import Assembly, AssemblyStatus
from .selectors import assembly_quorum, election_results, statutes_get


def _pdf(html: str) -> bytes:
    return html_to_pdf(html)


def minutes_context(assembly: Assembly) -> dict:
    statutes = statutes_get(organisation=assembly.organisation)
    elections = [
        {"election": e, "candidates": election_results(e), "tallies": list(e.tallies.all())}
        for e in assembly.elections.select_related("position")
    ]
    return {
        "assembly": assembly,
        "statutes": statutes,
        "quorum": assembly_quorum(assembly, statutes),
        "resolutions": list(assembly.resolutions.all()),
        "elections": elections,
        "documents": list(assembly.documents.all()),
        "draft": assembly.status != AssemblyStatus.CLOSED,
    }


def minutes_pdf(assembly: Assembly) -> bytes:
    """The procès-verbal, ready to sign: attendance, quorum, votes, elections."""
    return _pdf(render_to_string("governance/pdf/minutes.html", minutes_context(assembly)))


def letters_pdf(assembly: Assembly, voters) -> bytes:
    """One convocation letter per voter (one page each)."""
    html = render_to_string(
        "governance/pdf/letters.html", {"assembly": assembly, "voters": list(voters)}
    )
    return _pdf(html)


def sms_csv(assembly: Assembly, voters) -> str:
    """phone;number;name;message for an SMS gateway; voters without a phone are skipped."""
    place = assembly.place
    when = assembly.held_on.strftime("%d/%m/%Y")
    if assembly.starts_at:
        when += " " + assembly.starts_at.strftime("%H:%M")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["phone", "number", "name", "message"])
    for voter in voters:
        phone = voter.membership.person.phone
        if not phone:
            continue
        message = _("%(org)s: %(title)s on %(when)s, %(place)s. Bring your card.") % {
            "org": assembly.organisation.name,
            "title": assembly.title,
            "when": when,
            "place": place,
        }
        writer.writerow([phone, voter.number, voter.name, message])
    return out.getvalue()
