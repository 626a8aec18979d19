"""Roles and what each may do (DEVELOPERS.md: roles and scope).

A role is granted at a node of the organisation tree and covers its subtree.
Provider agents are also tied to a provider; members to their own household.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Section clerk")
    CLAIMS_OFFICER = "claims_officer", _("Claims officer")
    MEDICAL_ADVISER = "medical_adviser", _("Medical adviser")
    ACCOUNTANT = "accountant", _("Accountant")
    MANAGER = "manager", _("Manager")
    BOARD = "board", _("Board member")
    AUDITOR = "auditor", _("Auditor / supervisor")
    PROVIDER_AGENT = "provider_agent", _("Health-facility agent")
    MEMBER = "member", _("Member")


class Perm(StrEnum):
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    MEMBER_VIEW = "member.view"
    MEMBER_EDIT = "member.edit"
    MEMBER_IMPORT = "member.import"
    PAYMENT_RECORD = "payment.record"
    PAYMENT_VIEW = "payment.view"
    PACKAGE_VIEW = "package.view"
    PACKAGE_MANAGE = "package.manage"
    ELIGIBILITY_CHECK = "eligibility.check"
    PROVIDER_VIEW = "provider.view"
    PROVIDER_MANAGE = "provider.manage"
    CLAIM_VIEW = "claim.view"
    CLAIM_ENTER = "claim.enter"
    CLAIM_ADJUDICATE = "claim.adjudicate"
    CLAIM_REVIEW = "claim.review"
    DIAGNOSIS_VIEW = "diagnosis.view"
    ACCOUNTS_VIEW = "accounts.view"
    ACCOUNTS_POST = "accounts.post"
    INDICATORS_VIEW = "indicators.view"
    GOVERNANCE_VIEW = "governance.view"
    GOVERNANCE_MANAGE = "governance.manage"
    COMPLAINT_HANDLE = "complaint.handle"
    OWN_RECORD_VIEW = "own.view"


P = Perm
_READ_ALL = {
    P.ORG_VIEW,
    P.AUDIT_VIEW,
    P.MEMBER_VIEW,
    P.PAYMENT_VIEW,
    P.PACKAGE_VIEW,
    P.PROVIDER_VIEW,
    P.CLAIM_VIEW,
    P.ACCOUNTS_VIEW,
    P.INDICATORS_VIEW,
    P.GOVERNANCE_VIEW,
}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.CLERK: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.MEMBER_EDIT,
            P.MEMBER_IMPORT,
            P.PAYMENT_RECORD,
            P.PAYMENT_VIEW,
            P.PACKAGE_VIEW,
            P.ELIGIBILITY_CHECK,
            P.COMPLAINT_HANDLE,
            P.GOVERNANCE_VIEW,
        }
    ),
    Role.CLAIMS_OFFICER: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.PACKAGE_VIEW,
            P.ELIGIBILITY_CHECK,
            P.PROVIDER_VIEW,
            P.CLAIM_VIEW,
            P.CLAIM_ENTER,
            P.CLAIM_ADJUDICATE,
            P.DIAGNOSIS_VIEW,
        }
    ),
    Role.MEDICAL_ADVISER: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.PACKAGE_VIEW,
            P.ELIGIBILITY_CHECK,
            P.PROVIDER_VIEW,
            P.CLAIM_VIEW,
            P.CLAIM_REVIEW,
            P.DIAGNOSIS_VIEW,
        }
    ),
    Role.ACCOUNTANT: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.PAYMENT_VIEW,
            P.PAYMENT_RECORD,
            P.PACKAGE_VIEW,
            P.PROVIDER_VIEW,
            P.CLAIM_VIEW,
            P.ACCOUNTS_VIEW,
            P.ACCOUNTS_POST,
            P.INDICATORS_VIEW,
        }
    ),
    Role.MANAGER: frozenset(
        _READ_ALL
        | {
            P.ORG_MANAGE,
            P.USER_MANAGE,
            P.MEMBER_EDIT,
            P.MEMBER_IMPORT,
            P.PAYMENT_RECORD,
            P.PACKAGE_MANAGE,
            P.ELIGIBILITY_CHECK,
            P.PROVIDER_MANAGE,
            P.CLAIM_ENTER,
            P.CLAIM_ADJUDICATE,
            P.GOVERNANCE_MANAGE,
            P.COMPLAINT_HANDLE,
        }
    ),
    Role.BOARD: frozenset(
        {
            P.ORG_VIEW,
            P.PACKAGE_VIEW,
            P.INDICATORS_VIEW,
            P.ACCOUNTS_VIEW,
            P.GOVERNANCE_VIEW,
            P.GOVERNANCE_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset(_READ_ALL),
    Role.PROVIDER_AGENT: frozenset(
        {
            P.ELIGIBILITY_CHECK,
            P.CLAIM_VIEW,
            P.CLAIM_ENTER,
            P.PACKAGE_VIEW,
        }
    ),
    Role.MEMBER: frozenset({P.OWN_RECORD_VIEW, P.PACKAGE_VIEW, P.GOVERNANCE_VIEW}),
}

# Roles whose scope is the organisation subtree (the others are narrower).
TREE_ROLES = frozenset(r for r in Role if r not in {Role.PROVIDER_AGENT, Role.MEMBER})
