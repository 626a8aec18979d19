"""Deterministic synthetic households for the demo, tests and benchmarks.

Senegalese names (Wolof, Serer, Pulaar, Diola), villages of the Thiès region,
households of 1 to 12 persons (head, spouses, children, a parent or dependant),
plausible ages and joining dates. Same seed, same rows, on every machine.
The frame has the import columns (`importer.COLUMNS`), so the demo, the
`generate` command and the benchmarks all go through the one import path.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

FAMILY = (
    "Ndiaye Diop Fall Sow Ba Diallo Sarr Faye Gueye Mbaye Ndour Cissé Thiam Seck Sy Kane "
    "Diouf Dieng Niang Mbengue Touré Sène Wade Lo Camara Diagne Tall Gaye Ka Samb Diatta "
    "Badji Sagna Mané Dramé Coly Ndao Kébé Mboup Ngom Dione Thiaw Cissokho Sall Bèye Pouye "
    "Tine Diémé Senghor Faty Goudiaby Manga Sadio Niasse Mbodj Ndoye Guèye Touré Konaté"
).split()
FEMALE = (
    "Awa Fatou Aminata Mariama Aïssatou Khady Ndèye Coumba Astou Bineta Seynabou Hélène "
    "Adama Dieynaba Rokhaya Yacine Maïmouna Oumou Penda Sokhna Ramatoulaye Ndeye Fatimata "
    "Marème Codou Anta Mame Diarra Ngoné Sophie Thérèse Marie Bintou Nafissatou Khadidiatou"
).split()
MALE = (
    "Mamadou Moussa Ibrahima Cheikh Ousmane Abdoulaye Modou Amadou Aliou Babacar Serigne "
    "Malick Pape Omar Souleymane Lamine Idrissa Assane Alioune Boubacar Mouhamed El Hadji "
    "Saliou Demba Samba Matar Lamine Djibril Jean Pierre Joseph Habib Issa Birame Daouda"
).split()
LOCALITIES = (
    "Thiès Khombole Pout Tivaouane Notto Keur Moussa Fandène Tassette Ngoundiane Thiénaba "
    "Mont-Rolland Diender Kayar Chérif Lô Mékhé Méouane Niakhène Touba Toul Pire Goureye "
    "Ndiéyène Sirakh Cayar Mboro Darou Khoudoss Taïba Ndiaye Pambal Koul Pékesse"
).split()
CATEGORIES = ["informal"] * 14 + ["formal"] * 3 + ["student", "indigent", "other"]


def _sizes(rng: random.Random) -> int:
    # Mean ~5, from 1 to 12, as in rural Senegal.
    return min(12, max(1, int(rng.gauss(5.2, 2.4))))


def generate_frame(
    *,
    persons: int | None = None,
    households: int | None = None,
    seed: int = 2026,
    sections: list[str],
    on: date,
    prefix: str = "S",
) -> pl.DataFrame:
    """Rows for about `persons` persons (or exactly `households` households)."""
    rng = random.Random(seed)
    cols: dict[str, list] = {
        k: []
        for k in (
            "household_id person_id relationship last_name first_names sex birth_date "
            "national_id phone locality section category joined_on"
        ).split()
    }
    h = 0
    count = 0
    while (households is not None and h < households) or (persons is not None and count < persons):
        h += 1
        hid = f"{prefix}{seed}-H{h:07d}"
        family = rng.choice(FAMILY)
        locality = rng.choice(LOCALITIES)
        section = sections[h % len(sections)]
        category = rng.choice(CATEGORIES)
        joined = on - timedelta(days=rng.randint(30, 6 * 365))
        size = _sizes(rng)
        if persons is not None:
            size = min(size, persons - count)
        head_female = rng.random() < 0.22
        head_age = rng.randint(22, 75)
        members = [("head", "F" if head_female else "M", head_age)]
        spouses = 0 if size == 1 else (1 if rng.random() < 0.85 else 0)
        if not head_female and size > 5 and rng.random() < 0.25:
            spouses += 1  # polygamous households are common
        for _ in range(min(spouses, size - 1)):
            members.append(
                ("spouse", "M" if head_female else "F", max(18, head_age - rng.randint(0, 15)))
            )
        while len(members) < size:
            if rng.random() < 0.08:
                members.append(
                    ("parent", rng.choice("FM"), min(95, head_age + rng.randint(18, 30)))
                )
            elif rng.random() < 0.06:
                members.append(("dependant", rng.choice("FM"), rng.randint(5, 30)))
            else:
                members.append(
                    ("child", rng.choice("FM"), rng.randint(0, max(0, min(30, head_age - 16))))
                )
        for i, (rel, sex, age) in enumerate(members):
            count += 1
            year = on.year - age
            if rng.random() < 0.6:
                birth = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            else:
                birth = str(year)  # year only: common for older members
            last = family if rel in ("head", "child") or rng.random() < 0.3 else rng.choice(FAMILY)
            cols["household_id"].append(hid)
            cols["person_id"].append(f"{hid}-{i + 1:02d}")
            cols["relationship"].append(rel)
            cols["last_name"].append(last.upper() if rng.random() < 0.5 else last)
            first = rng.choice(FEMALE if sex == "F" else MALE)
            if rng.random() < 0.15:
                first += " " + rng.choice(FEMALE if sex == "F" else MALE)
            cols["first_names"].append(first)
            cols["sex"].append(sex)
            cols["birth_date"].append(birth)
            adult = age >= 18
            nin = (
                f"{1 if sex == 'M' else 2}{rng.randint(0, 999):03d}{year}"
                f"{rng.randint(0, 99999):05d}"
                if adult and rng.random() < 0.6
                else ""
            )
            cols["national_id"].append(nin)
            phone = (
                f"+221{rng.choice('7')}{rng.choice('0678')}{rng.randint(0, 9_999_999):07d}"
                if adult and (rel == "head" or rng.random() < 0.3)
                else ""
            )
            cols["phone"].append(phone)
            cols["locality"].append(locality)
            cols["section"].append(section if rel == "head" else "")
            cols["category"].append(category)
            cols["joined_on"].append(joined.isoformat())
    return pl.DataFrame(cols, schema={k: pl.String for k in cols})
