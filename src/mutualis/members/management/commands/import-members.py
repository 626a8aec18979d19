"""`mutualis import-members FILE --mutual CODE --user NAME`: bulk import with a progress bar."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mutualis.core.errors import DomainError
from mutualis.core.models import Organisation, User
from mutualis.members.importer import import_members
from mutualis.members.views import today_in

from ._progress import ProgressBar


class Command(BaseCommand):
    help = "Import households and persons from a CSV or XLSX file (see docs/members.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mutual", required=True, help="Code of the mutual.")
        parser.add_argument(
            "--user", help="Acting user (must hold the import right); default: a superuser."
        )
        parser.add_argument("--on", help="Date of the import (YYYY-MM-DD); default: today.")
        parser.add_argument("--report", help="Where to write the error report (CSV).")
        parser.add_argument("--language", default="fr", choices=["fr", "en"])
        parser.add_argument(
            "--bulk",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="PostgreSQL: write the whole file in one transaction with the indexes and "
            "foreign keys rebuilt at the end, locking the register meanwhile (default: when "
            "the file holds at least 50,000 new persons and as many as the register).",
        )

    def handle(
        self, *args, file, mutual, user=None, on=None, report=None, language="fr", bulk=None, **kw
    ):
        from django.utils import translation

        mutual_org = Organisation.objects.filter(code=mutual).first()
        if mutual_org is None:
            raise CommandError(f"Unknown mutual {mutual!r}.")
        actor = (
            User.objects.filter(username=user).first()
            if user
            else User.objects.filter(is_superuser=True).order_by("id").first()
        )
        if actor is None:
            raise CommandError("Pass --user (a user with the import right) or create a superuser.")
        if not Path(file).exists():
            raise CommandError(f"No such file: {file}")
        bar = ProgressBar(Path(file).name, stream=self.stderr)
        with translation.override(language):
            try:
                result = import_members(
                    actor=actor,
                    mutual=mutual_org,
                    path=file,
                    on=date.fromisoformat(on) if on else today_in(mutual_org),
                    language=language,
                    progress=bar,
                    bulk=bulk,
                )
            except DomainError as exc:
                raise CommandError(str(exc)) from None
            finally:
                bar.close()
        self.stdout.write(
            f"{result.imported:,} imported, {result.skipped:,} already there, "
            f"{result.failed:,} rows with errors, {result.duplicates:,} possible duplicates "
            f"(batch {result.batch_id})."
        )
        if result.report:
            target = Path(report or Path(file).with_suffix(".errors.csv"))
            target.write_text(result.report, encoding="utf-8")
            self.stdout.write(f"Error report: {target}")
