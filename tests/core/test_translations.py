"""The French catalogues are complete: no empty or fuzzy entry, and each .mo is fresh."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "src" / "mutualis"
CATALOGUES = sorted(ROOT.glob("*/locale/fr/LC_MESSAGES/django.po"))


def _entries(text: str):
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        if not any(ln.startswith("msgid ") for ln in lines):
            continue
        yield lines


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_french_message_is_translated(po: Path):
    untranslated = []
    for lines in _entries(po.read_text(encoding="utf-8")):
        i_id = next(i for i, ln in enumerate(lines) if ln.startswith("msgid "))
        msgid = (
            "".join(
                ln.strip().strip('"')
                for ln in lines[i_id:]
                if not ln.startswith(("msgstr", "msgid_plural")) and not ln.startswith("msgstr[")
            )
            .removeprefix("msgid ")
            .strip('"')
        )
        strs = [i for i, ln in enumerate(lines) if ln.startswith("msgstr")]
        values = []
        for i in strs:
            value = lines[i].split(" ", 1)[1].strip('"')
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                value += lines[j].strip('"')
                j += 1
            values.append(value)
        is_header = lines[i_id] == 'msgid ""' and (
            i_id + 1 == len(lines) or lines[i_id + 1].startswith("msgstr")
        )
        if is_header:
            continue
        if any(v == "" for v in values) or any(
            ln == "#, fuzzy" or ln.startswith("#, fuzzy") for ln in lines
        ):
            untranslated.append(msgid)
    assert untranslated == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_the_compiled_catalogue_is_not_older_than_its_source(po: Path):
    mo = po.with_suffix(".mo")

    assert mo.exists(), f"run `make messages` to compile {po}"
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1 or _same_content(po, mo)


def _same_content(po: Path, mo: Path) -> bool:
    """A fresh clone gives both files the checkout time; compare the messages instead."""
    import gettext

    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    text = po.read_text(encoding="utf-8")
    return all(f'msgstr "{v}"' in text or v in text for k, v in catalog.items() if k and v)
