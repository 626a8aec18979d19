import io

import pytest
from django.core.management import call_command

from mutualis.members.models import Household, Person

pytestmark = pytest.mark.django_db


def test_import_members_prints_a_progress_bar_and_writes_the_error_report(
    org_tree, clerk_a, tmp_path
):
    path = tmp_path / "m.csv"
    path.write_text(
        "id_menage,id_personne,lien,nom,prenoms,sexe,section\n"
        "H1,P1,chef,Diop,Awa,F,MAF-A\nH1,P2,enfant,Diop,Modou,Q,\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import-members",
        str(path),
        mutual="MAF",
        user="clerk_a",
        on="2026-03-01",
        stdout=out,
        stderr=err,
    )

    assert "100%" in err.getvalue() and "#" in err.getvalue()
    assert "1 imported" in out.getvalue()
    assert "Modou" in (tmp_path / "m.errors.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", ["--bulk", "--no-bulk"])
def test_import_members_takes_the_bulk_option(org_tree, clerk_a, tmp_path, option):
    from django.db import connection

    from mutualis.core.models import BatchLog

    path = tmp_path / "m.csv"
    path.write_text(
        "id_menage,id_personne,lien,nom,prenoms,sexe,section\n"
        "H1,P1,chef,Diop,Awa,F,MAF-A\nH1,P2,enfant,Diop,Modou,M,\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command(
        "import-members", str(path), option, mutual="MAF", user="clerk_a", stdout=out,
        stderr=io.StringIO(),
    )  # fmt: skip

    assert "2 imported" in out.getvalue()
    bulk = BatchLog.objects.get().parameters.get("bulk", False)
    assert bulk is (option == "--bulk" and connection.vendor == "postgresql")


def test_generate_is_deterministic(root_user, tmp_path):
    call_command(
        "generate",
        members=300,
        seed=5,
        csv=str(tmp_path / "a.csv"),
        mutual="SYN",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    call_command("generate", members=300, seed=5, csv=str(tmp_path / "b.csv"), stdout=io.StringIO())

    assert (tmp_path / "a.csv").read_bytes() != b""
    assert Person.objects.count() == 300
    assert 1 <= Person.objects.count() / Household.objects.count() <= 12
    a = (tmp_path / "a.csv").read_text().splitlines()[1:]
    b = (tmp_path / "b.csv").read_text().splitlines()[1:]
    assert [r.split(",")[2:10] for r in a] == [r.split(",")[2:10] for r in b]
