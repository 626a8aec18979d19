"""Writes of the benefits app, and the eligibility check (DOMAIN §4, §5).

- Catalogue: `category_create`, `item_create`, `catalogue_import` (CSV/XLSX,
  every row checked before anything is written; one bulk write).
- Packages: `package_create`, `version_create` (copies the rules of the
  version it follows), `version_update`, `rule_set`, `limit_add`,
  `rule_remove`, `limit_remove`, `version_publish`. Only a draft changes; a published
  version is history, so a change is a new version with its effective date.
- `eligibility_check`: loads the facts (selectors), asks the engine
  (`engine.eligibility.check_eligibility`) and returns its decision with the
  beneficiary; the facility page, the card-QR check and the API all call it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run
from mutualis.engine import eligibility as ee
from mutualis.engine.checkdigit import is_valid
from mutualis.engine.money import CURRENCIES, currency

from . import selectors
from .categories import STANDARD_CATEGORIES
from .models import (
    BenefitRule,
    CareType,
    CatalogueItem,
    CountUnit,
    ItemKind,
    Limit,
    LimitKind,
    LimitScope,
    Package,
    PackageKind,
    PackageVersion,
    RuleCoverage,
    ServiceCategory,
    Sex,
    VersionStatus,
    WindowKind,
)

# --- Errors ----------------------------------------------------------------------


class VersionPublished(Conflict):
    code = "version_published"
    message = _("This version is published and can no longer change; create a new version.")


class VersionInPast(Conflict):
    code = "version_in_past"
    message = _("A version cannot take effect before {today}: past answers must not change.")


class ImportFileInvalid(DomainError):
    code = "import_file_invalid"
    message = _("The file cannot be imported: {problem}")


class ImportRowsInvalid(ValidationFailed):
    code = "import_rows_invalid"
    message = _("{count} rows are not valid; nothing was imported.")

    def __init__(self, *, rows: list[tuple[int, str]], **kw):
        super().__init__(count=len(rows), **kw)
        self.rows = rows


class BeneficiaryNotFound(DomainError):
    status = 404
    code = "not_found"
    message = _("No beneficiary with number {number}.")


class NumberMistyped(DomainError):
    code = "number_mistyped"
    message = _("The number {number} is mistyped: its check digit does not match.")


# --- Validation helpers ----------------------------------------------------------


def _amount(value, field_name: str, errors: dict, code: str) -> Decimal | None:
    """A non-negative amount in the currency, or an error on `field_name`."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        errors[field_name] = _("Enter an amount.")
        return None
    if not amount.is_finite():
        errors[field_name] = _("Enter an amount.")
        return None
    if amount < 0:
        errors[field_name] = _("An amount cannot be negative.")
        return None
    cur = currency(code)
    if cur.quantize(amount) != amount:
        errors[field_name] = _("{currency} has no amounts smaller than {step}.").format(
            currency=cur.code, step=cur.step
        )
        return None
    return amount


def _rate(value, field_name: str, errors: dict) -> Decimal | None:
    """A coverage rate as a fraction 0..1."""
    if value is None or value == "":
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        errors[field_name] = _("Enter a rate between 0 and 100%.")
        return None
    if not rate.is_finite() or not (0 <= rate <= 1):
        errors[field_name] = _("Enter a rate between 0 and 100%.")
        return None
    return rate


def _check_version_mapping(version: PackageVersion) -> None:
    """The engine accepts the version as it now stands (else ValidationFailed)."""
    try:
        selectors.package_version_facts(version)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            _("The package version is not consistent: {problem}"), problem=str(exc)
        ) from None


def _draft(version: PackageVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise VersionPublished()


# --- Catalogue -------------------------------------------------------------------


@transaction.atomic
def category_create(*, actor, mutual, code: str, name: str = "", position: int = 100):
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    code = code.strip().lower()
    errors = {}
    if not code:
        errors["code"] = _("The code is required.")
    elif ServiceCategory.objects.filter(mutual=mutual, code=code).exists():
        errors["code"] = _("This code is already used.")
    if not name.strip() and code not in STANDARD_CATEGORIES:
        errors["name"] = _("The name is required.")
    if errors:
        raise ValidationFailed(fields=errors)
    with acting_as(actor):
        category = ServiceCategory.objects.create(
            mutual=mutual, code=code, name=name.strip() or code, position=position
        )
    audit_record(actor=actor, action="category.create", target=category, organisation=mutual)
    return category


def _item_errors(*, mutual, data: dict) -> tuple[dict, dict]:
    """Checked item fields (code, name, category, reference_price, kind, care_type)."""
    errors: dict = {}
    clean: dict = {}
    clean["code"] = str(data.get("code") or "").strip()
    clean["name"] = str(data.get("name") or "").strip()
    if not clean["code"]:
        errors["code"] = _("The code is required.")
    if not clean["name"]:
        errors["name"] = _("The name is required.")
    cur = str(data.get("currency") or "").strip().upper()
    if cur and cur not in CURRENCIES:
        errors["currency"] = _("Unknown currency: {currency}.").format(currency=cur)
    elif cur and cur != mutual.currency:
        errors["currency"] = _("Prices are in {expected}, not {currency}.").format(
            expected=mutual.currency, currency=cur
        )
    price = data.get("reference_price")
    if price is None or str(price).strip() == "":
        errors["reference_price"] = _("The reference price is required.")
    else:
        clean["reference_price"] = _amount(price, "reference_price", errors, mutual.currency)
    kind = str(data.get("kind") or ItemKind.ACT).strip()
    if kind not in ItemKind.values:
        errors["kind"] = _("Unknown kind: {kind}.").format(kind=kind)
    clean["kind"] = kind
    care = str(data.get("care_type") or CareType.BOTH).strip()
    if care not in CareType.values:
        errors["care_type"] = _("Unknown care type: {care}.").format(care=care)
    clean["care_type"] = care
    clean["category"] = str(data.get("category") or "").strip().lower()
    if not clean["category"]:
        errors["category"] = _("The category is required.")
    return clean, errors


@transaction.atomic
def item_create(*, actor, mutual, data: dict) -> CatalogueItem:
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    clean, errors = _item_errors(mutual=mutual, data=data)
    category = ServiceCategory.objects.filter(mutual=mutual, code=clean["category"]).first()
    if category is None and "category" not in errors:
        errors["category"] = _("Unknown category: {category}.").format(category=clean["category"])
    if CatalogueItem.objects.filter(mutual=mutual, code=clean["code"]).exists():
        errors["code"] = _("This code is already used.")
    if errors:
        raise ValidationFailed(fields=errors)
    with acting_as(actor):
        item = CatalogueItem.objects.create(
            mutual=mutual,
            code=clean["code"],
            name=clean["name"],
            category=category,
            kind=clean["kind"],
            reference_price=clean["reference_price"],
            care_type=clean["care_type"],
        )
    audit_record(actor=actor, action="catalogue_item.create", target=item, organisation=mutual)
    return item


IMPORT_COLUMNS = ("code", "name", "category", "reference_price")
OPTIONAL_COLUMNS = ("kind", "care_type", "currency")


def _read_rows(file_name: str, content: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as dicts of strings."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        import polars as pl

        try:
            frame = pl.read_excel(io.BytesIO(content), infer_schema_length=0)
        except Exception:  # noqa: BLE001 - any unreadable workbook
            raise ImportFileInvalid(problem=_("it is not a readable XLSX workbook.")) from None
        columns = [str(c).strip().lower() for c in frame.columns]
        rows = [
            {columns[i]: ("" if v is None else str(v)) for i, v in enumerate(row)}
            for row in frame.iter_rows()
        ]
        header = columns
    elif name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileInvalid(problem=_("a CSV file must be in UTF-8.")) from None
        first = text.splitlines()[0] if text else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        lines = list(reader)
        if not lines:
            raise ImportFileInvalid(problem=_("the file is empty."))
        header = [h.strip().lower() for h in lines[0]]
        rows = [dict(zip(header, line, strict=False)) for line in lines[1:] if any(line)]
    else:
        raise ImportFileInvalid(problem=_("only .csv and .xlsx files are accepted."))
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in IMPORT_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        raise ImportFileInvalid(
            problem=_(
                "expected columns {expected}; missing: {missing}; unknown: {unknown}."
            ).format(
                expected=", ".join(IMPORT_COLUMNS + OPTIONAL_COLUMNS),
                missing=", ".join(missing) or "—",
                unknown=", ".join(unknown) or "—",
            )
        )
    return rows


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    categories_created: list[str] = field(default_factory=list)


def catalogue_import(*, actor, mutual, file_name: str, content: bytes) -> ImportReport:
    """Import or update catalogue items from CSV/XLSX: all rows valid, or nothing written.

    Columns: code, name, category, reference_price [, kind, care_type, currency].
    Standard categories (DOMAIN §4) are created when first used.
    """
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    rows = _read_rows(file_name, content)
    if not rows:
        raise ImportFileInvalid(problem=_("the file has no rows."))
    with batch_run(
        actor=actor,
        kind="catalogue.import",
        organisation=mutual,
        parameters={"file": file_name},
        total=len(rows),
    ) as progress:
        report = _catalogue_write(actor=actor, mutual=mutual, rows=rows)
        progress.advance(len(rows))
    return report


@transaction.atomic
def _catalogue_write(*, actor, mutual, rows: list[dict]) -> ImportReport:
    categories = {c.code: c for c in ServiceCategory.objects.filter(mutual=mutual)}
    existing = {i.code: i for i in CatalogueItem.objects.filter(mutual=mutual)}
    bad: list[tuple[int, str]] = []
    clean_rows = []
    seen: set[str] = set()
    new_categories: set[str] = set()
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        clean, errors = _item_errors(mutual=mutual, data=row)
        cat = clean.get("category")
        if cat and cat not in categories:
            if cat in STANDARD_CATEGORIES:
                new_categories.add(cat)
            else:
                errors["category"] = _("Unknown category: {category}.").format(category=cat)
        if clean["code"] in seen:
            errors["code"] = _("This code appears twice in the file.")
        seen.add(clean["code"])
        if errors:
            bad.append((n, "; ".join(f"{k}: {v}" for k, v in errors.items())))
        else:
            clean_rows.append(clean)
    if bad:
        raise ImportRowsInvalid(rows=bad)
    report = ImportReport(categories_created=sorted(new_categories))
    with acting_as(actor):
        order = list(STANDARD_CATEGORIES)
        created_cats = ServiceCategory.objects.bulk_create(
            [
                ServiceCategory(mutual=mutual, code=c, name=c, position=order.index(c) * 10)
                for c in sorted(new_categories)
            ]
        )
        categories.update({c.code: c for c in created_cats})
        if new_categories and any(c.pk is None for c in created_cats):
            categories = {c.code: c for c in ServiceCategory.objects.filter(mutual=mutual)}
        rows = [
            CatalogueItem(
                mutual=mutual,
                code=clean["code"],
                name=clean["name"],
                category=categories[clean["category"]],
                kind=clean["kind"],
                reference_price=clean["reference_price"],
                care_type=clean["care_type"],
            )
            for clean in clean_rows
        ]
        # One upsert on (mutual, code): new items are created, known ones updated.
        CatalogueItem.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["mutual", "code"],
            update_fields=["name", "category", "kind", "reference_price", "care_type"],
        )
    updated = sum(1 for clean in clean_rows if clean["code"] in existing)
    report.created, report.updated = len(clean_rows) - updated, updated
    audit_record(
        actor=actor,
        action="catalogue.import",
        organisation=mutual,
        data={"created": report.created, "updated": report.updated},
    )
    return report


# --- Packages and versions -------------------------------------------------------


@transaction.atomic
def package_create(
    *, actor, mutual, code: str, name: str, kind: str = PackageKind.BASIC, description: str = ""
) -> Package:
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    errors = {}
    if not code.strip():
        errors["code"] = _("The code is required.")
    elif Package.objects.filter(mutual=mutual, code=code.strip()).exists():
        errors["code"] = _("This code is already used.")
    if not name.strip():
        errors["name"] = _("The name is required.")
    if kind not in PackageKind.values:
        errors["kind"] = _("Unknown kind of package.")
    if errors:
        raise ValidationFailed(fields=errors)
    with acting_as(actor):
        package = Package.objects.create(
            mutual=mutual, code=code.strip(), name=name.strip(), kind=kind, description=description
        )
    audit_record(actor=actor, action="package.create", target=package, organisation=mutual)
    return package


VERSION_FIELDS = (
    "note",
    "deductible",
    "deductible_scope",
    "premium_basis",
    "premium_amount",
    "threshold_members",
    "max_members",
    "registration_fee",
    "general_assembly_fee",
    "renewal_discount_percent",
    "enrolment_opens",
    "enrolment_closes",
    "cover_months",
    "grace_days",
    "capitation_percent",
)
_MONEY_FIELDS = ("deductible", "premium_amount", "registration_fee", "general_assembly_fee")


def _version_values(package: Package, values: dict) -> dict:
    errors: dict = {}
    clean = {}
    for key, value in values.items():
        if key not in VERSION_FIELDS:
            raise ValidationFailed(fields={key: _("Unknown field.")})
        if key in _MONEY_FIELDS:
            value = _amount(value, key, errors, package.mutual.currency)
        elif key in ("renewal_discount_percent", "capitation_percent"):
            if value not in (None, ""):
                value = Decimal(str(value))
                if not (0 <= value <= 100):
                    errors[key] = _("Enter a percentage between 0 and 100.")
            else:
                value = None
        elif key in ("enrolment_opens", "enrolment_closes") and value:
            try:
                date(2024, int(value[:2]), int(value[3:]))
                assert value[2] == "-" and len(value) == 5
            except (ValueError, AssertionError, IndexError):
                errors[key] = _("Write the day as MM-DD, e.g. 10-01.")
        elif key in ("threshold_members", "max_members", "cover_months", "grace_days"):
            if value not in (None, "") and int(value) < 0:
                errors[key] = _("Cannot be negative.")
        clean[key] = value
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


@transaction.atomic
def version_create(
    *, actor, package: Package, effective_from: date, today: date, **values
) -> PackageVersion:
    """A new draft version from `effective_from`, starting as a copy of the one before it.

    `today` is the mutual's today: a version never takes effect in the past,
    so answers about past dates keep the version that was then in force.
    """
    require(actor, Perm.PACKAGE_MANAGE, on=package.mutual)
    if effective_from < today:
        raise VersionInPast(today=today.isoformat(), fields={"effective_from": _("In the past.")})
    if package.versions.filter(effective_from=effective_from).exists():
        raise ValidationFailed(
            fields={"effective_from": _("A version already takes effect on this date.")}
        )
    clean = _version_values(package, values)
    previous = (
        package.versions.filter(effective_from__lt=effective_from)
        .order_by("-effective_from")
        .first()
    )
    with acting_as(actor):
        base = {}
        if previous is not None:
            base = {f: getattr(previous, f) for f in VERSION_FIELDS}
            base["note"] = ""
        base.update(clean)
        version = PackageVersion.objects.create(
            package=package, effective_from=effective_from, **base
        )
        if previous is not None:
            _copy_rules(previous, version)
    audit_record(
        actor=actor,
        action="package_version.create",
        target=version,
        organisation=package.mutual,
        data={
            "effective_from": effective_from.isoformat(),
            "copied_from": getattr(previous, "pk", None),
        },
    )
    return version


def _copy_rules(source: PackageVersion, target: PackageVersion) -> None:
    rules = list(source.rules.all())
    coverages = list(RuleCoverage.objects.filter(rule__version=source))
    limits = list(source.limits.all())
    old_ids = [r.pk for r in rules]
    for r in rules:
        r.pk = None
        r.version = target
    BenefitRule.objects.bulk_create(rules)
    if any(r.pk is None for r in rules):  # backends that do not return ids
        rules = list(target.rules.order_by("id"))
    new_id = dict(zip(old_ids, [r.pk for r in rules], strict=True))
    for c in coverages:
        c.pk, c.rule_id = None, new_id[c.rule_id]
    RuleCoverage.objects.bulk_create(coverages)
    for lim in limits:
        lim.pk, lim.version = None, target
        lim.rule_id = new_id[lim.rule_id] if lim.rule_id else None
    Limit.objects.bulk_create(limits)


@transaction.atomic
def version_update(*, actor, version: PackageVersion, **values) -> PackageVersion:
    require(actor, Perm.PACKAGE_MANAGE, on=version.package.mutual)
    _draft(version)
    clean = _version_values(version.package, values)
    with acting_as(actor):
        for k, v in clean.items():
            setattr(version, k, v)
        version.save()
    _check_version_mapping(version)
    audit_record(
        actor=actor,
        action="package_version.update",
        target=version,
        organisation=version.package.mutual,
        data={"fields": sorted(clean)},
    )
    return version


@transaction.atomic
def version_publish(*, actor, version: PackageVersion, today: date) -> PackageVersion:
    """Publish a draft: from its date on, eligibility and claims use it."""
    require(actor, Perm.PACKAGE_MANAGE, on=version.package.mutual)
    _draft(version)
    if version.effective_from < today:
        raise VersionInPast(today=today.isoformat())
    _check_version_mapping(version)
    with acting_as(actor):
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.save()
    audit_record(
        actor=actor,
        action="package_version.publish",
        target=version,
        organisation=version.package.mutual,
    )
    return version


@transaction.atomic
def rule_set(
    *,
    actor,
    version: PackageVersion,
    category: ServiceCategory,
    item: CatalogueItem | None = None,
    covered: bool = True,
    rate=None,
    fixed_copay=None,
    waiting_days: int = 0,
    referral_required: bool = False,
    authorisation_required: bool = False,
    applicable_sex: str = "",
    min_age: int | None = None,
    max_age: int | None = None,
    care_type: str = CareType.BOTH,
    member_coverages: dict[str, tuple] | None = None,
) -> BenefitRule:
    """Create or replace the rule of a category (or of one item) in a draft version.

    `rate` is the mutual's share as a fraction (0.8 = 80%); `fixed_copay` the
    member's amount per visit. `member_coverages` maps a member category to
    (rate, fixed_copay), e.g. {"indigent": (1, None)}.
    """
    mutual = version.package.mutual
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    _draft(version)
    errors: dict = {}
    if category.mutual_id != mutual.pk:
        raise NotFound()
    if item is not None and (item.mutual_id != mutual.pk or item.category_id != category.pk):
        errors["item"] = _("This item is not in this category.")
    rate = _rate(rate, "rate", errors)
    copay = _amount(fixed_copay, "fixed_copay", errors, mutual.currency)
    if covered and (rate is None) == (copay is None) and "rate" not in errors:
        errors["rate"] = _("Give either a coverage rate or a fixed co-payment.")
    if waiting_days is None or int(waiting_days) < 0:
        errors["waiting_days"] = _("Cannot be negative.")
    if applicable_sex and applicable_sex not in Sex.values:
        errors["applicable_sex"] = _("Unknown value.")
    if min_age is not None and max_age is not None and min_age > max_age:
        errors["max_age"] = _("The upper age is below the lower age.")
    if care_type not in CareType.values:
        errors["care_type"] = _("Unknown care type.")
    cov_rows = []
    from mutualis.members.models import MemberCategory

    for member_category, (c_rate, c_copay) in (member_coverages or {}).items():
        if member_category not in MemberCategory.values:
            errors["member_coverages"] = _("Unknown member category: {category}.").format(
                category=member_category
            )
            continue
        key = f"member_coverages.{member_category}"
        r = _rate(c_rate, key, errors)
        c = _amount(c_copay, key, errors, mutual.currency)
        if (r is None) == (c is None) and key not in errors:
            errors[key] = _("Give either a coverage rate or a fixed co-payment.")
        cov_rows.append((member_category, r, c))
    if errors:
        raise ValidationFailed(fields=errors)
    values = {
        "covered": covered,
        "rate": rate if covered else None,
        "fixed_copay": copay if covered else None,
        "waiting_days": int(waiting_days),
        "referral_required": referral_required,
        "authorisation_required": authorisation_required,
        "applicable_sex": applicable_sex or "",
        "min_age": min_age,
        "max_age": max_age,
        "care_type": care_type,
    }
    with acting_as(actor):
        # Replacing a rule keeps its limits: only its fields and member coverages change.
        rule = BenefitRule.objects.filter(version=version, category=category, item=item).first()
        if rule is None:
            rule = BenefitRule.objects.create(
                version=version, category=category, item=item, **values
            )
        else:
            for key, value in values.items():
                setattr(rule, key, value)
            rule.save()
            rule.category_coverages.all().delete()
        RuleCoverage.objects.bulk_create(
            [
                RuleCoverage(rule=rule, member_category=mc, rate=r, fixed_copay=c)
                for mc, r, c in cov_rows
            ]
        )
    _check_version_mapping(version)
    audit_record(
        actor=actor,
        action="benefit_rule.set",
        target=rule,
        organisation=mutual,
        data={"category": category.code, "item": item.code if item else None},
    )
    return rule


@transaction.atomic
def rule_remove(*, actor, rule: BenefitRule) -> None:
    """Remove a rule (and its limits) from a draft: the category is no longer covered."""
    version = rule.version
    mutual = version.package.mutual
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    _draft(version)
    audit_record(
        actor=actor,
        action="benefit_rule.remove",
        target=rule,
        organisation=mutual,
        data={"category": rule.category.code, "item": rule.item.code if rule.item_id else None},
    )
    with acting_as(actor):
        rule.delete()
    _check_version_mapping(version)


@transaction.atomic
def limit_add(
    *,
    actor,
    version: PackageVersion,
    kind: str,
    scope: str,
    rule: BenefitRule | None = None,
    amount=None,
    max_count: int | None = None,
    unit: str = CountUnit.QUANTITY,
    window: str = WindowKind.CALENDAR_YEAR,
    window_days: int | None = None,
    care_type: str = CareType.BOTH,
) -> Limit:
    """Add a ceiling, count limit or frequency to a rule, or a ceiling to the whole version."""
    mutual = version.package.mutual
    require(actor, Perm.PACKAGE_MANAGE, on=mutual)
    _draft(version)
    errors: dict = {}
    if rule is not None and rule.version_id != version.pk:
        raise NotFound()
    if kind not in LimitKind.values:
        errors["kind"] = _("Unknown kind of limit.")
    if scope not in LimitScope.values:
        errors["scope"] = _("Unknown scope.")
    if kind == LimitKind.CEILING:
        value = _amount(amount, "amount", errors, mutual.currency)
        if value is None and "amount" not in errors:
            errors["amount"] = _("The amount is required.")
        amount, max_count = value, None
    else:
        amount = None
        if max_count is None or int(max_count) < 0:
            errors["max_count"] = _("Give a maximum of 0 or more.")
        if rule is None:
            errors["rule"] = _("A count limit belongs to a rule.")
        if scope == LimitScope.ACT:
            errors["scope"] = _("Count one act with the quantity, not a limit.")
        if (
            kind == LimitKind.FREQUENCY
            and rule is not None
            and rule.limits.filter(kind=LimitKind.FREQUENCY).exists()
        ):
            errors["kind"] = _("This rule already has a frequency.")
    if window not in WindowKind.values:
        errors["window"] = _("Unknown window.")
    if window == WindowKind.ROLLING_DAYS:
        if not window_days or int(window_days) < 1:
            errors["window_days"] = _("A rolling window lasts at least one day.")
    else:
        window_days = None
    if unit not in CountUnit.values:
        errors["unit"] = _("Unknown unit.")
    if care_type not in CareType.values:
        errors["care_type"] = _("Unknown care type.")
    if errors:
        raise ValidationFailed(fields=errors)
    limit = Limit.objects.create(
        version=version,
        rule=rule,
        kind=kind,
        scope=scope,
        amount=amount,
        max_count=max_count,
        unit=unit,
        window=window,
        window_days=window_days,
        care_type=care_type,
    )
    _check_version_mapping(version)
    audit_record(
        actor=actor,
        action="limit.add",
        target=limit,
        organisation=mutual,
        data={"kind": kind, "scope": scope, "rule": getattr(rule, "pk", None)},
    )
    return limit


@transaction.atomic
def limit_remove(*, actor, limit: Limit) -> None:
    version = limit.version
    require(actor, Perm.PACKAGE_MANAGE, on=version.package.mutual)
    _draft(version)
    audit_record(
        actor=actor, action="limit.remove", target=limit, organisation=version.package.mutual
    )
    limit.delete()


# --- Eligibility -----------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityAnswer:
    """The engine's decision with the beneficiary it is about."""

    membership: object
    on: date
    decision: ee.EligibilityDecision
    currency: str
    item: object | None = None
    provider: object | None = None
    packages: dict = field(default_factory=dict)  # engine package id → package name


def _card_number(scanned: str | None) -> str:
    """The card number from what was typed or scanned: the number itself, or a card QR
    holding a link to the facility page (…/benefits/eligibility/?number=…)."""
    text = (scanned or "").strip()
    if "number=" in text:
        from urllib.parse import parse_qs, urlsplit

        text = (parse_qs(urlsplit(text).query).get("number") or [""])[0]
    return text.replace(" ", "")


def eligibility_check(
    *,
    actor,
    number: str,
    on: date,
    item_code: str | None = None,
    provider_id: int | None = None,
    referral: bool = False,
    authorisation: bool = False,
    quantity: int = 1,
) -> EligibilityAnswer:
    """Is beneficiary `number` covered at `on` (for `item_code`, at `provider_id`)?

    Read-only: no transaction, no audit row (a facility checks often). Outside
    the actor's scope the number does not exist (404).
    """
    from mutualis.core.scope import provider_ids
    from mutualis.providers.models import Provider

    number = _card_number(number)
    if not number:
        raise ValidationFailed(fields={"number": _("Type the card number.")})
    membership, item = selectors.membership_by_number(number, item_code)
    if membership is None:
        if number.isdigit() and not is_valid(number):
            raise NumberMistyped(number=number)
        raise BeneficiaryNotFound(number=number)
    try:
        require(actor, Perm.ELIGIBILITY_CHECK, on=membership.section)
    except NotFound:
        raise BeneficiaryNotFound(number=number) from None
    provider = None
    if provider_id is not None:
        provider = Provider.objects.filter(pk=provider_id).first()
        own = provider_ids(actor)
        if provider is None or (own and provider.pk not in own):
            raise ValidationFailed(fields={"provider": _("Unknown facility.")})
    mutual = membership.mutual
    member_facts, versions = selectors.eligibility_facts([membership], on)
    facts = member_facts[membership.pk]
    service = None
    catalogue = {}
    if item_code:
        if item is not None:
            catalogue = {
                item.code: selectors.eb.CatalogueItem(
                    item.code,
                    item.category.code,
                    item.reference_price,
                    selectors.eb.CareType(item.care_type),
                )
            }
        care = (
            ee.CareType.IN_PATIENT
            if item is not None and item.care_type == "in_patient"
            else ee.CareType.OUT_PATIENT
        )
        service = ee.ServiceRequest(
            item=item_code,
            quantity=max(1, int(quantity)),
            care_type=care,
            referral=referral,
            authorisation=authorisation,
        )
    consumption = selectors.consumption_for(
        beneficiary_ids=[membership.pk], household_ids=[membership.household_id], on=on
    )
    decision = ee.check_eligibility(
        facts=ee.EligibilityFacts(
            member=facts, packages=versions, catalogue=catalogue, consumption=consumption
        ),
        on=on,
        service=service,
    )
    packages = {v.package_id: v.name for v in versions}
    return EligibilityAnswer(
        membership=membership,
        on=on,
        decision=decision,
        currency=mutual.currency,
        item=item,
        provider=provider,
        packages=packages,
    )
