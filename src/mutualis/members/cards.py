"""Member cards (DOMAIN §3): a PDF with a QR code holding a signed payload.

The payload is `<number>.<serial>.<signature>`: the beneficiary number, the card
serial (a reprint gets the next serial and revokes the previous one) and an
HMAC derived from SECRET_KEY over both, 13 base32 characters, so the QR code
stays small. `GET /verify/<payload>/` checks it (see `verify_payload`).
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import date

import segno
from django.utils.crypto import salted_hmac

from mutualis.core.documents import render_pdf

from .models import ENDED, Card, Membership, MembershipStatus
from .selectors import is_covered, membership_status_on

SALT = "mutualis.members.card"


def signature(number: str, serial: int) -> str:
    digest = salted_hmac(SALT, f"{number}.{serial}", algorithm="sha256").digest()
    return base64.b32encode(digest[:8]).decode().rstrip("=")


def payload_for(card: Card) -> str:
    number = card.membership.number
    return f"{number}.{card.serial}.{signature(number, card.serial)}"


def parse_payload(payload: str) -> tuple[str, int, str] | None:
    parts = (payload or "").strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    number, serial, sig = parts[0], int(parts[1]), parts[2].upper()
    if not hmac.compare_digest(sig, signature(number, serial)):
        return None
    return number, serial, sig


@dataclass(frozen=True)
class Verification:
    genuine: bool
    valid: bool
    card: Card | None = None
    membership: Membership | None = None
    status: str | None = None
    reason: str = ""


def verify_payload(payload: str, *, on: date) -> Verification:
    """Is the card genuine (signature, known serial) and valid on `on` (not revoked,
    not expired, member active and covered)?"""
    parsed = parse_payload(payload)
    if parsed is None:
        return Verification(genuine=False, valid=False, reason="signature")
    number, serial, _sig = parsed
    card = (
        Card.objects.select_related("membership__person", "membership__household")
        .filter(membership__number=number, serial=serial)
        .first()
    )
    if card is None:
        return Verification(genuine=False, valid=False, reason="unknown")
    membership = card.membership
    status = membership_status_on(membership, on)
    reason = ""
    if card.revoked_at is not None:
        reason = "revoked"
    elif card.valid_until and card.valid_until < on:
        reason = "expired"
    elif status != MembershipStatus.ACTIVE:
        reason = "status"
    elif not is_covered(membership, on):
        reason = "no_cover"
    return Verification(
        genuine=True,
        valid=not reason,
        card=card,
        membership=membership,
        status=status,
        reason=reason,
    )


def qr_svg(data: str) -> str:
    """An inline SVG QR code (UTF-8 with ECI, so accents survive any reader)."""
    return segno.make(data, encoding="utf-8", eci=True, error="m").svg_inline(
        scale=3, border=2, omitsize=False
    )


def photo_data_uri(person) -> str:
    if not person.photo:
        return ""
    try:
        with person.photo.open("rb") as fh:
            raw = fh.read()
    except (OSError, ValueError):
        return ""
    kind = "png" if raw[:4] == b"\x89PNG" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"


def card_pdf(card: Card, *, verify_url: str) -> bytes:
    """The card as a PDF (ID-1 size), rendered by WeasyPrint."""
    from .numbers import display

    membership = card.membership
    return render_pdf(
        "members/card_pdf.html",
        {
            "card": card,
            "membership": membership,
            "person": membership.person,
            "number": display(membership.number),
            "mutual": membership.mutual,
            "section": membership.section,
            "photo": photo_data_uri(membership.person),
            "qr": qr_svg(verify_url),
            "ended": membership.status in ENDED,
        },
    )
