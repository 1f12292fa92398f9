"""Fill the translation catalogues from JSON files of translations.

    .venv/bin/python tools/fill_translations.py locale/pending/*.json

Each file maps a msgid to its translations: {"Pay now": {"ru": "Оплатить", "kk": "Төлеу"}}.
English takes the msgid itself. Only untranslated or fuzzy entries are filled, so a file can
be applied again after `makemessages` (see the README) without touching reviewed entries.
Entries with a plural form take {"ru": ["one", "few", "many"], "kk": ["one", "other"]}.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> int:
    data: dict = {}
    for path in paths:
        data.update(json.loads(Path(path).read_text(encoding="utf-8")))
    left = 0
    for language in ("ru", "kk", "en"):
        po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path), wrapwidth=0)
        for entry in po:
            if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
                continue
            found = data.get(entry.msgid)
            if language == "en":
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
            elif found and found.get(language):
                value = found[language]
                if entry.msgid_plural:
                    values = value if isinstance(value, list) else [value]
                    entry.msgstr_plural = {
                        i: values[min(i, len(values) - 1)] for i in entry.msgstr_plural or {0: ""}
                    }
                else:
                    entry.msgstr = value
            else:
                left += 1
                sys.stderr.write(f"{language}: untranslated: {entry.msgid!r}\n")
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
        po.save(str(po_path))
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
