"""Refusals of the governance app, each with a code and a message in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mutualis.core.errors import Conflict, DomainError


class ConvenedTooLate(DomainError):
    code = "convened_too_late"
    message = _(
        "The convocation must be sent at least {days} days before the General Assembly, "
        "that is on {latest} at the latest."
    )


class NotAPdf(DomainError):
    code = "not_a_pdf"
    message = _("The document must be a PDF file.")


class AssemblyClosed(Conflict):
    code = "assembly_closed"
    message = _("This General Assembly is closed; nothing can be changed any more.")


class NotConvened(Conflict):
    code = "not_convened"
    message = _("Record the sending of the convocation first.")


class ElectorateNotFrozen(Conflict):
    code = "electorate_not_frozen"
    message = _("Freeze the list of voters first.")


class ElectorateFrozen(Conflict):
    code = "electorate_frozen"
    message = _("The list of voters is already frozen.")


class UnknownMember(DomainError):
    code = "unknown_member"
    message = _("No member of this mutual has the number {number}.")


class NotInElectorate(DomainError):
    code = "not_in_electorate"
    message = _("Number {number} is not on the list of voters of this General Assembly.")


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"
    message = _("{name} ({number}) is already checked in.")


class ProxyAlreadyGiven(Conflict):
    code = "proxy_given"
    message = _("{name} ({number}) has already given a proxy to {holder}.")


class GiverPresent(Conflict):
    code = "giver_present"
    message = _("{name} ({number}) is present and votes in person; no proxy is needed.")


class HolderAbsent(DomainError):
    code = "holder_absent"
    message = _("{name} ({number}) must be checked in to hold a proxy.")


class ProxyLimit(DomainError):
    code = "proxy_limit"
    message = _("{name} ({number}) already holds {count} proxies; the statutes allow {limit}.")


class SelfProxy(DomainError):
    code = "proxy_to_self"
    message = _("A member cannot give a proxy to themselves.")


class QuorumNotReached(Conflict):
    code = "quorum_not_reached"
    message = _(
        "The quorum is not reached: {counted} members present or represented, {required} needed."
    )


class SecondCallNotNeeded(Conflict):
    code = "second_call_not_needed"
    message = _("The quorum is reached, or the second call has already been made.")


class TallyTooLarge(DomainError):
    code = "tally_above_attendance"
    message = _("{total} votes were counted, but only {power} members are present or represented.")


class AlreadyVoted(Conflict):
    code = "already_voted"
    message = _("{name} ({number}) has already voted on this resolution.")


class NotAVoter(DomainError):
    code = "not_present"
    message = _("{name} ({number}) is neither present nor represented and cannot vote.")


class AlreadyDecided(Conflict):
    code = "already_decided"
    message = _("The result has already been recorded.")


class NotAdherent(DomainError):
    code = "not_adherent"
    message = _("{name} ({number}) is not an adherent and cannot stand for election.")


class CandidateNotInGoodStanding(DomainError):
    code = "candidate_not_in_good_standing"
    message = _("{name} ({number}) is not in good standing on {date} and cannot stand.")


class TermLimitReached(DomainError):
    code = "term_limit_reached"
    message = _(
        "{name} ({number}) has served {count} consecutive mandates in this body; "
        "the statutes allow {limit}."
    )


class AlreadyCandidate(Conflict):
    code = "already_candidate"
    message = _("{name} ({number}) is already a candidate.")


class StationTallyInvalid(DomainError):
    code = "station_tally_invalid"
    message = _("The count of polling station {station} does not add up: {problem}")


class StationAlreadyCounted(Conflict):
    code = "station_already_counted"
    message = _("The count of polling station {station} has already been entered.")


class NoTally(Conflict):
    code = "no_tally"
    message = _("Enter the count of at least one polling station first.")
