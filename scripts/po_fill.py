"""Fill empty French translations in .po files from a table (a helper for `make messages`).

    python scripts/po_fill.py TABLE.py FILE.po [FILE.po ...]

TABLE.py holds one dict literal {msgid: msgstr}. Entries already translated are
kept; the header's fuzzy flag is removed. A fuzzy entry (makemessages' guess from a
similar message) is not trusted: its guess is dropped and it is filled from the table
or reported. Plural entries are left for a person to translate and reported when
empty. Prints the msgids still untranslated.
"""

import ast
import re
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line.strip()) for line in lines if line.strip())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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
        if msgid == "":
            lines = [ln for ln in lines if ln != "#, fuzzy"]
            out.append("\n".join(lines))
            continue
        if lines[i_str].startswith("msgstr[") or "msgid_plural" in block:
            out.append(block)
            continue
        current = _unquote([lines[i_str][7:], *lines[i_str + 1 :]])
        if current == "":
            if msgid in table:
                lines = lines[:i_str] + ["msgstr " + _quote(table[msgid])]
            else:
                missing.append(msgid)
        lines = [re.sub(r",? ?fuzzy,?", "", ln) if ln.startswith("#, ") else ln for ln in lines]
        lines = [ln for ln in lines if ln.strip() != "#,"]
        out.append("\n".join(lines))
    open(path, "w", encoding="utf-8").write("\n\n".join(out))
    return missing


if __name__ == "__main__":
    table = ast.literal_eval(open(sys.argv[1], encoding="utf-8").read())
    for po in sys.argv[2:]:
        for msgid in fill(po, table):
            print(f"{po}: untranslated: {msgid!r}")
