"""Regenerate each app's French .po file and compile all of them (`make messages`).

Each app keeps its own `locale/fr/LC_MESSAGES/django.po`, so work on one app
never conflicts with another's translations. Needs GNU gettext (msgfmt).
The compiled .mo files are committed, so installing Mutualis needs no gettext.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "mutualis"
ADMIN = [sys.executable, "-P", "-m", "django"]  # -P: the app folder must not shadow stdlib


def main() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutualis.settings",
        "SECRET_KEY": "makemessages-only",
    }
    apps = sys.argv[1:] or sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
    for app in apps:
        folder = ROOT / app
        (folder / "locale").mkdir(exist_ok=True)
        subprocess.run(
            [*ADMIN, "makemessages", "-l", "fr", "--no-obsolete", "--no-location", "-i", "tests/*"],
            cwd=folder,
            env=env,
            check=True,
        )
        subprocess.run([*ADMIN, "compilemessages", "-l", "fr"], cwd=folder, env=env, check=True)


if __name__ == "__main__":
    main()
