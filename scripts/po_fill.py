"""Fill empty French translations in .po files from a table (a helper for `make messages`).

    python scripts/po_fill.py TABLE.py FILE.po [FILE.po ...]

TABLE.py holds one dict literal {msgid: msgstr}. Entries already translated are
kept. A fuzzy entry (makemessages' guess from a similar message, often wrong:
"Cash counter" became "Pays") is not trusted: its guess is dropped, and it is
filled from the table or reported. Plural entries are left for a person and
reported when empty. Prints the msgids still untranslated.
"""

import ast
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line.strip()) for line in lines if line.strip())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _without_fuzzy(lines: list[str]) -> list[str]:
    out = []
    for ln in lines:
        if ln.startswith("#| "):
            continue  # the previous msgid makemessages based its guess on
        if ln.startswith("#,"):
            flags = [f.strip() for f in ln[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            ln = "#, " + ", ".join(flags)
        out.append(ln)
    return out


def fill(path: str, table: dict[str, str]) -> list[str]:
    blocks = open(path, encoding="utf-8").read().split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i_id = next(i for i, ln in enumerate(lines) if ln.startswith("msgid "))
            i_str = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))
        except StopIteration:
            out.append(block)
            continue
        msgid = _unquote([lines[i_id][6:], *lines[i_id + 1 : i_str]])
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        if msgid == "":  # the header
            out.append("\n".join(_without_fuzzy(lines)))
            continue
        if "msgid_plural" in block:
            if any(ln.startswith("msgstr[") and ln.rstrip().endswith('""') for ln in lines):
                missing.append(msgid)
            out.append(block)
            continue
        current = "" if fuzzy else _unquote([lines[i_str][7:], *lines[i_str + 1 :]])
        lines = _without_fuzzy(lines)
        i_str = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))
        if current == "":
            if msgid in table:
                lines = lines[:i_str] + ["msgstr " + _quote(table[msgid])]
            else:
                lines = lines[:i_str] + ['msgstr ""']
                missing.append(msgid)
        out.append("\n".join(lines))
    open(path, "w", encoding="utf-8").write("\n\n".join(out))
    return missing


if __name__ == "__main__":
    table = ast.literal_eval(open(sys.argv[1], encoding="utf-8").read())
    for po in sys.argv[2:]:
        for msgid in fill(po, table):
            print(f"{po}: untranslated: {msgid!r}")
