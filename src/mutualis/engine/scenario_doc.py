"""Writes docs/claims-rules.md from tests/engine/scenarios/claims.toml (DOMAIN §7).

A developer tool, not engine logic: the scenario file is the contract of
claim adjudication, and this turns it into a page a claims manager can read.
``tests/engine/test_scenarios.py`` checks that the committed page is current.

    PYTHONPATH=src python -m mutualis.engine.scenario_doc [--check]
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "tests" / "engine" / "scenarios" / "claims.toml"
DOC = ROOT / "docs" / "claims-rules.md"

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def _date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _money(value: object) -> str:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value() and "." not in str(value):
        return f"{amount:,.0f}"
    return f"{amount:,}"


def _value(value: object) -> str:
    if isinstance(value, date):
        return _date(value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _money(value)
    return str(value)


def _window(text: str | None) -> str:
    if not text or text == "calendar_year":
        return "per calendar year"
    if text == "cover_period":
        return "per cover period"
    return f"per {text.split(':', 1)[1]} days"


def _limit(d: dict) -> str:
    unit = "visit" if d.get("unit") == "visits" else "unit"
    unit += "" if d["max"] == 1 else "s"
    return f"{d['max']} {unit} {_window(d.get('window'))}"


def _ceiling(d: dict) -> str:
    care = d.get("care_type")
    extra = f", {care.replace('_', '-')} only" if care and care != "both" else ""
    if d["scope"] in ("act", "visit", "episode"):
        return f"{_money(d['amount'])} per {d['scope']}{extra}"
    return f"{_money(d['amount'])} per {d['scope']} {_window(d.get('window'))}{extra}"


def _rule_row(r: dict) -> str:
    if not r.get("covered", True):
        return f"| {r['category']} | excluded | | |"
    if "copay" in r:
        cover = f"co-payment {_money(r['copay'])} per visit"
    else:
        cover = f"{Decimal(str(r.get('rate', '1'))) * 100:.0f}%"
    for cat, cov in r.get("by_member_category", {}).items():
        cover += f"; {cat}: {'exempt' if cov == 'exempt' else cov}"
    limits = [_ceiling(c) for c in r.get("ceilings", ())]
    if "frequency" in r:
        limits.append("frequency " + _limit(r["frequency"]))
    limits += [_limit(c) for c in r.get("count_limits", ())]
    cond = []
    if r.get("waiting_days"):
        cond.append(f"waiting period {r['waiting_days']} days")
    if r.get("referral"):
        cond.append("referral")
    if r.get("authorisation"):
        cond.append("prior authorisation")
    if r.get("care_type", "both") != "both":
        cond.append(r["care_type"].replace("_", "-") + " only")
    if "sex" in r or "min_age" in r or "max_age" in r:
        who = {"F": "women", "M": "men"}.get(r.get("sex"), "patients")
        cond.append(f"{who} aged {r.get('min_age', 0)} to {r.get('max_age', 'any age')}")
    return f"| {r['category']} | {cover} | {'; '.join(limits)} | {'; '.join(cond)} |"


def _world(world: dict) -> list[str]:
    pkg = world["package"]
    out = [
        "## The example mutual",
        "",
        (f"Every example starts from this mutual (amounts in {world['currency']}), "
        f"on {_date(world['today'])}, with a {world['submission_deadline_days']}-day "
        "deadline to submit claims, then changes what it says."),
        "",
        "| item | what | category | reference price | care |",
        "|---|---|---|---:|---|",
    ]
    for c in world["catalogue"]:
        out.append(
            f"| {c['code']} | {c.get('title', '')} | {c['category']} | {_money(c['price'])} | "
            f"{c.get('care_type', 'both').replace('_', '-')} |"
        )
    out += [
        "",
        f"**{pkg['name']}** ({pkg['kind']}), in force from {_date(pkg['effective_from'])}; "
        "package ceilings: " + "; ".join(_ceiling(c) for c in pkg.get("ceilings", ())) + ".",
        "",
        "| category | cover | limits | conditions |",
        "|---|---|---|---|",
    ]
    out += [_rule_row(r) for r in pkg["rules"]]
    ag = world["agreement"]
    out += [
        "",
        f"Provider **{ag['provider']}** has an agreement from {_date(ag['valid_from'])}"
        + (", priced at the catalogue's reference prices" if ag.get("reference_prices") else "")
        + (", with third-party payment" if ag.get("third_party_payment") else "")
        + ".",
        "",
        "Members: "
        + "; ".join(
            f"{m['name']} ({m['id']}, household {m['household']}, "
            f"{'woman' if m['sex'] == 'F' else 'man'}, born "
            f"{m['born'].year if m.get('born_year_only') else _date(m['born'])}, "
            f"{m.get('category', 'informal')})"
            for m in world["members"]
        )
        + ", all covered by the basic package since "
        + _date(world["members"][0]["cover"][0]["start"])
        + ".",
        "",
    ]
    return out


def _claim(c: dict, n: int, names: dict[str, str]) -> str:
    start = c.get("start", date(2025, 6, 2))
    who = names.get(c.get("beneficiary", "B1"), c.get("beneficiary", "B1"))
    bits = [f"claim {c.get('id', f'C{n + 1}')}: {who}, {_date(start)}"]
    if c.get("end"):
        bits[0] += f" to {_date(c['end'])}"
    bits.append(c.get("care_type", "out_patient").replace("_", "-"))
    for key, label in (("referral", "referral"), ("authorisation", "authorisation"),
                       ("corrects", "corrects"), ("episode", "episode")):
        if c.get(key):
            bits.append(f"{label} {c[key]}")
    if "diagnoses" in c:
        bits.append("diagnoses " + (", ".join(c["diagnoses"]) or "none"))
    if "submitted" in c:
        bits.append(f"received {_date(c['submitted'])}")
    lines = "; ".join(
        f"{ln['item']} × {ln['quantity']} at {_money(ln['price'])}"
        + (f" on {_date(ln['on'])}" if ln.get("on") else "")
        for ln in c["lines"]
    )
    return ", ".join(bits) + f" — {lines}"


def _outcome(e: dict, claim_id: str) -> str:
    text = f"{e.get('claim', claim_id)}: "
    parts = []
    if "status" in e:
        parts.append(e["status"].replace("_", " "))
    for key, label in (("accepted", "accepted"), ("mutual", "mutual pays"),
                       ("member", "member pays")):
        if key in e:
            parts.append(f"{label} {_money(e[key])}")
    if "payee" in e:
        parts.append(f"paid to the {e['payee']}")
    text += ", ".join(parts) if parts else "see lines"
    for i, ln in enumerate(e.get("lines", ())):
        bits = []
        if "status" in ln:
            bits.append(ln["status"].replace("_", " "))
        if "codes" in ln:
            bits.append(" + ".join(f"`{c}`" for c in ln["codes"]))
        if "params" in ln:
            bits.append(", ".join(f"{k.replace('_', ' ')} {_value(v)}"
                                  for k, v in ln["params"].items()))
        if "quantity" in ln:
            bits.append(f"quantity {ln['quantity']}")
        for key, label in (("accepted", "accepted"), ("mutual", "mutual"),
                           ("member", "member")):
            if key in ln:
                bits.append(f"{label} {_money(ln[key])}")
        if "notes" in ln:
            bits.append("adjusted by " + ", ".join(ln["notes"]))
        if "package" in ln:
            bits.append(f"paid by package {ln['package']}")
        text += f"; line {i + 1}: " + ", ".join(bits)
    return text


def render(data: dict) -> str:
    """The Markdown page for the parsed scenario file."""
    world = data["world"]
    names = {m["id"]: m["name"] for m in world["members"]}
    out = [
        "# Claims rules",
        "",
        ("<!-- Generated from tests/engine/scenarios/claims.toml by "
        "`python -m mutualis.engine.scenario_doc`; edit that file, not this one. -->"),
        "",
        ("How Mutualis checks and prices each line of a claim. Each line is "
        "**accepted**, **partially accepted** (only part of the quantity fits a limit) or "
        "**rejected**, with every reason found. A rejection gives a code, shown below with "
        "its openIMIS number where there is one. Every example on this page is also an "
        "automatic test."),
        "",
    ]
    out += _world(world)
    by_rule: dict[str, list[dict]] = {}
    for s in data["scenario"]:
        by_rule.setdefault(s["rule"], []).append(s)
    out += ["## Contents", ""]
    out += [f"- [{r['title']}](#{r['code'].replace('_', '-')})" for r in data["rule"]]
    out.append("")
    for r in data["rule"]:
        out += [
            f'<a id="{r["code"].replace("_", "-")}"></a>',
            f"## {r['title']}",
            "",
            r["explain"].strip().replace("\n", " "),
            "",
            "Examples:",
            "",
        ]
        for s in by_rule.get(r["code"], ()):
            out.append(f"- **{s['title']}** (`{s['id']}`)")
            if s.get("story"):
                out.append(f"  {s['story'].strip().replace(chr(10), ' ')}")
            for n, c in enumerate(s["claims"]):
                out.append(f"  - {_claim(c, n, names)}")
            for n, e in enumerate(s["expect"]):
                claim_id = s["claims"][n].get("id", f"C{n + 1}") if n < len(s["claims"]) else ""
                out.append(f"  - → {_outcome(e, claim_id)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS)
    parser.add_argument("--out", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true", help="fail if the page is stale")
    args = parser.parse_args(argv)
    text = render(tomllib.loads(args.scenarios.read_text(encoding="utf-8")))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
