"""Demo benefits: a catalogue with XOF reference prices, the basic package "BASE"
in force from 2026-01-01 and a complementary package.

Runs after the members demo (which creates "BASE" and the coverage periods);
creates "BASE" when it is missing. Rows are written directly (the demo is
trusted data); the same rules could be typed through `services.rule_set`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.utils import timezone

from .categories import STANDARD_CATEGORIES
from .models import (
    BenefitRule,
    CatalogueItem,
    Limit,
    Package,
    PackageKind,
    PackageVersion,
    RuleCoverage,
    ServiceCategory,
    VersionStatus,
)

# code, name, category, kind, price (XOF), care type
CATALOGUE = [
    (
        "CONS-CS",
        "Consultation curative au centre de santé",
        "consultation",
        "act",
        1000,
        "out_patient",
    ),
    ("CONS-PS", "Consultation au poste de santé", "consultation", "act", 500, "out_patient"),
    (
        "CONS-MG",
        "Consultation de médecin généraliste (hôpital)",
        "consultation",
        "act",
        3000,
        "out_patient",
    ),
    ("CONS-SPE", "Consultation de spécialiste", "consultation", "act", 7500, "out_patient"),
    ("CPN", "Consultation prénatale", "maternity", "act", 1000, "out_patient"),
    ("ACC-SIMPLE", "Accouchement simple", "maternity", "act", 15000, "in_patient"),
    ("ACC-CESAR", "Césarienne", "maternity", "act", 85000, "in_patient"),
    ("CPON", "Consultation postnatale", "maternity", "act", 1000, "out_patient"),
    (
        "HOSP-JOUR",
        "Journée d'hospitalisation (salle commune)",
        "hospitalisation",
        "act",
        5000,
        "in_patient",
    ),
    (
        "HOSP-CS",
        "Mise en observation au centre de santé (24 h)",
        "hospitalisation",
        "act",
        2500,
        "in_patient",
    ),
    ("CHIR-MIN", "Petite chirurgie (suture, incision)", "surgery", "act", 5000, "out_patient"),
    ("CHIR-HERN", "Cure de hernie", "surgery", "act", 75000, "in_patient"),
    ("PARA500", "Paracétamol 500 mg (comprimé)", "pharmacy", "medicine", 10, "both"),
    ("AMOX500", "Amoxicilline 500 mg (gélule)", "pharmacy", "medicine", 40, "both"),
    ("ACT-ADU", "Artéméther-luméfantrine adulte (boîte)", "pharmacy", "medicine", 1500, "both"),
    ("ACT-ENF", "Artéméther-luméfantrine enfant (boîte)", "pharmacy", "medicine", 800, "both"),
    ("SRO", "Sels de réhydratation orale (sachet)", "pharmacy", "medicine", 100, "both"),
    ("ZINC", "Zinc 20 mg (comprimé)", "pharmacy", "medicine", 25, "both"),
    ("FER-AF", "Fer + acide folique (comprimé)", "pharmacy", "medicine", 10, "both"),
    ("METRO", "Métronidazole 250 mg (comprimé)", "pharmacy", "medicine", 15, "both"),
    ("COTRI", "Cotrimoxazole 480 mg (comprimé)", "pharmacy", "medicine", 15, "both"),
    ("IBU400", "Ibuprofène 400 mg (comprimé)", "pharmacy", "medicine", 20, "both"),
    ("CEFTRI", "Ceftriaxone 1 g injectable", "pharmacy", "medicine", 1200, "both"),
    ("PERF-GLU", "Soluté glucosé 5 % 500 ml", "pharmacy", "consumable", 700, "in_patient"),
    ("SERING", "Seringue 5 ml", "pharmacy", "consumable", 50, "both"),
    ("TDR-PALU", "Test de diagnostic rapide du paludisme", "laboratory", "act", 500, "both"),
    ("GE", "Goutte épaisse", "laboratory", "act", 1000, "both"),
    ("NFS", "Numération formule sanguine", "laboratory", "act", 3000, "both"),
    ("GLYC", "Glycémie", "laboratory", "act", 1000, "both"),
    ("ECBU", "Examen cytobactériologique des urines", "laboratory", "act", 5000, "both"),
    ("CREAT", "Créatininémie", "laboratory", "act", 2500, "both"),
    ("RX-THOR", "Radiographie du thorax", "imaging", "act", 10000, "both"),
    ("RX-MEMB", "Radiographie d'un membre", "imaging", "act", 8000, "both"),
    ("ECHO-OBS", "Échographie obstétricale", "imaging", "act", 10000, "out_patient"),
    ("ECHO-ABD", "Échographie abdominale", "imaging", "act", 15000, "out_patient"),
    ("DENT-EXT", "Extraction dentaire", "dental", "act", 3000, "out_patient"),
    ("DENT-SOIN", "Soin dentaire (obturation)", "dental", "act", 5000, "out_patient"),
    (
        "LUNETTES",
        "Lunettes correctrices (monture + verres)",
        "optical",
        "act",
        25000,
        "out_patient",
    ),
    ("CONS-OPH", "Consultation d'ophtalmologie", "optical", "act", 5000, "out_patient"),
    ("EVAC", "Évacuation sanitaire en ambulance", "transport", "act", 25000, "both"),
    ("VACC-HPV", "Vaccination (hors PEV)", "prevention", "act", 2000, "out_patient"),
]


def load(ctx) -> None:
    mutual = ctx.mutual
    order = list(STANDARD_CATEGORIES)
    categories = {
        code: ServiceCategory.objects.get_or_create(
            mutual=mutual, code=code, defaults={"name": code, "position": order.index(code) * 10}
        )[0]
        for code in order
    }
    items = {}
    for code, name, cat, kind, price, care in CATALOGUE:
        items[code] = CatalogueItem.objects.get_or_create(
            mutual=mutual,
            code=code,
            defaults={
                "name": name,
                "category": categories[cat],
                "kind": kind,
                "reference_price": D(price),
                "care_type": care,
            },
        )[0]
    base, _ = Package.objects.get_or_create(
        mutual=mutual,
        code="BASE",
        defaults={"name": "Paquet de base", "kind": PackageKind.BASIC},
    )
    if not base.description:
        base.description = (
            "Soins de santé primaires au centre de santé, hospitalisation sur référence, "
            "maternité, médicaments essentiels."
        )
        base.save(update_fields=["description"])
    now = timezone.now()
    if not base.versions.exists():
        v = PackageVersion.objects.create(
            package=base,
            effective_from=date(2026, 1, 1),
            status=VersionStatus.PUBLISHED,
            published_at=now,
            note="Paquet adopté par l'assemblée générale de décembre 2025.",
            premium_basis="per_member",
            premium_amount=D(7000),
            registration_fee=D(1000),
            general_assembly_fee=D(500),
            renewal_discount_percent=D(5),
            enrolment_opens="10-01",
            enrolment_closes="12-31",
            cover_months=12,
            grace_days=30,
        )

        def rule(cat, item=None, **kw):
            return BenefitRule.objects.create(
                version=v, category=categories[cat], item=items.get(item), **kw
            )

        cons = rule("consultation", rate=D("0.8"))
        RuleCoverage.objects.create(rule=cons, member_category="indigent", rate=D(1))
        Limit.objects.create(
            version=v, rule=cons, kind="count", scope="beneficiary", max_count=12, unit="visits"
        )
        spe = rule("consultation", "CONS-SPE", rate=D("0.7"), referral_required=True)
        RuleCoverage.objects.create(rule=spe, member_category="indigent", rate=D(1))
        hosp = rule(
            "hospitalisation", rate=D("0.7"), referral_required=True, care_type="in_patient"
        )
        RuleCoverage.objects.create(rule=hosp, member_category="indigent", rate=D(1))
        Limit.objects.create(
            version=v,
            rule=hosp,
            kind="ceiling",
            scope="episode",
            amount=D(150000),
            window="calendar_year",
        )
        Limit.objects.create(
            version=v, rule=hosp, kind="count", scope="beneficiary", max_count=30, unit="quantity"
        )
        mat = rule("maternity", rate=D("0.9"), waiting_days=270)
        RuleCoverage.objects.create(rule=mat, member_category="indigent", rate=D(1))
        Limit.objects.create(
            version=v,
            rule=mat,
            kind="count",
            scope="beneficiary",
            max_count=4,
            unit="visits",
            window="rolling_days",
            window_days=365,
        )
        rule(
            "maternity",
            "ACC-SIMPLE",
            rate=D("0.9"),
            waiting_days=270,
            applicable_sex="F",
            min_age=12,
            max_age=55,
        )
        rule(
            "maternity",
            "ACC-CESAR",
            rate=D("0.9"),
            waiting_days=270,
            referral_required=True,
            authorisation_required=True,
            applicable_sex="F",
            min_age=12,
            max_age=55,
            care_type="in_patient",
        )
        ph = rule("pharmacy", rate=D("0.7"))
        RuleCoverage.objects.create(rule=ph, member_category="indigent", rate=D(1))
        Limit.objects.create(
            version=v,
            rule=ph,
            kind="ceiling",
            scope="beneficiary",
            amount=D(50000),
            window="calendar_year",
        )
        lab = rule("laboratory", rate=D("0.7"))
        RuleCoverage.objects.create(rule=lab, member_category="indigent", rate=D(1))
        rule("imaging", rate=D("0.6"), referral_required=True)
        rule("surgery", rate=D("0.7"), referral_required=True, authorisation_required=True)
        rule("dental", covered=False)
        opt = rule("optical", "LUNETTES", rate=D("0.5"), waiting_days=180)
        Limit.objects.create(
            version=v,
            rule=opt,
            kind="frequency",
            scope="beneficiary",
            max_count=1,
            window="rolling_days",
            window_days=730,
        )
        Limit.objects.create(version=v, rule=opt, kind="ceiling", scope="act", amount=D(15000))
        rule("transport", rate=D("1"), authorisation_required=True)
        Limit.objects.create(
            version=v, kind="ceiling", scope="beneficiary", amount=D(300000), window="calendar_year"
        )
        Limit.objects.create(
            version=v, kind="ceiling", scope="household", amount=D(1000000), window="calendar_year"
        )
    comp, created = Package.objects.get_or_create(
        mutual=mutual,
        code="COMPL",
        defaults={
            "name": "Complémentaire dentaire et optique",
            "kind": PackageKind.COMPLEMENTARY,
            "description": "Soins dentaires et ophtalmologie, en plus du paquet de base.",
        },
    )
    if created:
        v = PackageVersion.objects.create(
            package=comp,
            effective_from=date(2026, 1, 1),
            status=VersionStatus.PUBLISHED,
            published_at=now,
            premium_basis="lump_sum",
            premium_amount=D(12000),
            threshold_members=6,
            grace_days=30,
        )
        d = BenefitRule.objects.create(
            version=v, category=categories["dental"], fixed_copay=D(500), waiting_days=90
        )
        Limit.objects.create(
            version=v,
            rule=d,
            kind="ceiling",
            scope="beneficiary",
            amount=D(40000),
            window="calendar_year",
        )
        o = BenefitRule.objects.create(version=v, category=categories["optical"], rate=D("0.8"))
        Limit.objects.create(
            version=v,
            rule=o,
            kind="ceiling",
            scope="household",
            amount=D(60000),
            window="calendar_year",
        )
