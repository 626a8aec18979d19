from datetime import date

import polars as pl
import pytest

from mutualis.core.errors import DomainError
from mutualis.core.models import AuditEvent, BatchLog
from mutualis.members import importer
from mutualis.members.models import DuplicateCandidate, Household, Membership, Person

pytestmark = pytest.mark.django_db
ON = date(2026, 3, 1)

GOOD_AND_BAD = """\
id_menage;id_personne;lien;nom;prenoms;sexe;date_naissance;telephone;section;categorie
H1;P1;chef;Diop;Awa;F;1980-01-02;77 123 45 67;MAF-A;informel
H1;P2;enfant;Diop;Modou;M;2010;;;
H1;P3;enfant;Diop;Bad;X;2010;;;
H1;P4;conjoint;Diop;Assane;M;12/13/1979;;;
H2;P5;chef;Fall;Ousmane;M;1975;77 000 00 01;MAF-A;
H2;P6;enfant;Fall;Binta;F;2031;;;
"""


def write(tmp_path, text, name="membres.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# bulk=True: the bulk-load path on PostgreSQL (on SQLite the option changes nothing).
BULK = pytest.mark.parametrize("bulk", [False, True], ids=["slices", "bulk"])


@BULK
def test_bad_rows_come_back_with_their_reasons_and_the_others_are_imported(
    org_tree, clerk_a, tmp_path, bulk
):
    result = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, GOOD_AND_BAD), on=ON, bulk=bulk
    )

    assert (result.imported, result.failed, result.skipped) == (3, 3, 0)
    assert result.errors == [
        (4, "sex", "sex"),
        (5, "birth_date", "date"),
        (7, "birth_date", "year"),
    ]
    report = pl.read_csv(result.report.encode(), infer_schema=False)
    assert report.get_column("ligne").to_list() == ["4", "5", "7"]
    assert report.get_column("colonne").to_list() == ["sexe", "date_naissance", "date_naissance"]
    assert report.get_column("id_personne").to_list() == ["P3", "P4", "P6"]
    assert report.get_column("message").to_list()[0] == "Écrivez F ou M."
    assert Household.objects.count() == 2
    assert Membership.objects.filter(status="active").count() == 3
    assert BatchLog.objects.get().rows_failed == 3
    assert AuditEvent.objects.filter(action="members.import").exists()


@BULK
def test_reimporting_creates_no_duplicates_and_the_corrected_report_completes_the_household(
    org_tree, clerk_a, tmp_path, bulk
):
    path = write(tmp_path, GOOD_AND_BAD)
    kw = {"actor": clerk_a, "mutual": org_tree.mutual, "on": ON, "bulk": bulk}
    first = importer.import_members(path=path, **kw)

    again = importer.import_members(path=path, **kw)
    corrected = first.report.replace(";X;", ";M;").replace(",X,", ",M,")
    corrected = corrected.replace("12/13/1979", "13/12/1979").replace(",2031,", ",2021,")
    fixed = importer.import_members(path=write(tmp_path, corrected, "c.csv"), **kw)

    assert (again.imported, again.skipped) == (0, 3)
    assert (fixed.imported, fixed.failed) == (3, 0)
    assert Person.objects.count() == 6
    h1 = Household.objects.get(external_id="H1")
    assert h1.memberships.count() == 4
    assert h1.head.external_id == "P1"


def test_a_household_without_a_valid_head_row_is_refused_whole(org_tree, clerk_a, tmp_path):
    text = "id_menage,id_personne,lien,nom,prenoms,sexe,section\nH9,P1,enfant,Sarr,Modou,M,\n"

    result = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, text), on=ON
    )

    assert result.errors == [(2, "household_id", "no_head")]


@BULK
def test_likely_duplicates_are_imported_and_listed_for_review(org_tree, clerk_a, tmp_path, bulk):
    text = (
        "household_id,person_id,relationship,last_name,first_names,sex,birth_date,national_id,"
        "locality,section\n"
        "A,A1,head,Ndiaye,Hélène,F,1984,,Thiès,MAF-A\n"
        "B,B1,head,NDIAYE,Helene,F,1984-05-01,,thiès,MAF-A\n"
        "C,C1,head,Sow,Awa,F,1990,1234567890123,Pout,MAF-A\n"
        "D,D1,head,Ba,Coumba,F,1991,1234567890123,Pout,MAF-A\n"
    )

    result = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, text), on=ON, bulk=bulk
    )

    assert result.imported == 4
    assert result.duplicates == 2
    reasons = set(DuplicateCandidate.objects.values_list("reason", flat=True))
    assert reasons == {"national_id", "name_birth_year_locality"}


def test_the_xlsx_template_in_french_imports_as_is(org_tree, clerk_a, tmp_path):
    path = tmp_path / "modele.xlsx"
    path.write_bytes(importer.template_bytes("fr", "xlsx", "MAF-A"))

    result = importer.import_members(actor=clerk_a, mutual=org_tree.mutual, path=path, on=ON)

    assert (result.imported, result.failed) == (3, 0)
    assert Person.objects.get(external_id="P-001").phone == "+221771234567"
    assert str(Person.objects.get(external_id="P-003").birth_date) == "2015-05-12"


def test_a_file_without_the_required_columns_is_refused(org_tree, clerk_a, tmp_path):
    with pytest.raises(importer.MissingColumns) as exc:
        importer.import_members(
            actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, "nom,prenoms\nA,B\n"), on=ON
        )

    assert exc.value.code == "import_missing_columns"


def test_a_clerk_cannot_import_into_another_sections_rows(org_tree, clerk_b, tmp_path):
    result = importer.import_members(
        actor=clerk_b, mutual=org_tree.mutual, path=write(tmp_path, GOOD_AND_BAD), on=ON
    )

    assert result.imported == 0
    assert ("section", "section") in {(c, code) for _r, c, code in result.errors}


def test_an_auditor_may_not_import(org_tree, auditor, tmp_path):
    with pytest.raises(DomainError) as exc:
        importer.import_members(
            actor=auditor, mutual=org_tree.mutual, path=write(tmp_path, GOOD_AND_BAD), on=ON
        )

    assert exc.value.status == 403


SPLIT = """\
id_menage,id_personne,lien,nom,prenoms,sexe,section
H1,P1,chef,Diop,Awa,F,MAF-A
H1,P2,enfant,Diop,Modou,M,
H2,P3,chef,Fall,Ousmane,M,MAF-A
H1,P4,enfant,Diop,Binta,F,
H3,P5,chef,Sarr,Coumba,F,MAF-A
H3,P6,conjoint,Sarr,Assane,M,
"""


def test_a_household_split_between_slices_is_written_whole_with_its_slice(
    org_tree, clerk_a, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK", 2)

    result = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, SPLIT), on=ON
    )

    assert (result.imported, result.failed, result.households) == (6, 0, 3)
    h1 = Household.objects.get(external_id="H1")
    assert sorted(h1.memberships.values_list("person__external_id", flat=True)) == [
        "P1",
        "P2",
        "P4",
    ]
    assert h1.head.external_id == "P1"
    log = BatchLog.objects.get()
    assert (log.rows_done, log.status) == (6, "succeeded")
    # Slice 0 (rows 2-3) carries H1 whole, with its row 5 from slice 1.
    assert log.parameters["slices"] == [
        {"slice": 0, "rows": [2, 5], "imported": 3},
        {"slice": 1, "rows": [4, 4], "imported": 1},
        {"slice": 2, "rows": [6, 7], "imported": 2},
    ]


def test_a_crash_leaves_whole_slices_and_a_rerun_completes_the_file(
    org_tree, clerk_a, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK", 2)
    path = write(tmp_path, SPLIT)
    real = importer._store_bucket
    calls = []

    def crash_on_second(part, **kw):
        calls.append(part.height)
        if len(calls) == 2:
            real(part, **kw)  # written, then the transaction is rolled back
            raise RuntimeError("power cut")
        return real(part, **kw)

    monkeypatch.setattr(importer, "_store_bucket", crash_on_second)
    with pytest.raises(RuntimeError):
        importer.import_members(actor=clerk_a, mutual=org_tree.mutual, path=path, on=ON)

    log = BatchLog.objects.get()
    assert (log.status, log.rows_done) == ("failed", 3)
    assert log.parameters["slices"] == [{"slice": 0, "rows": [2, 5], "imported": 3}]
    assert sorted(Person.objects.values_list("external_id", flat=True)) == ["P1", "P2", "P4"]
    monkeypatch.setattr(importer, "_store_bucket", real)
    again = importer.import_members(actor=clerk_a, mutual=org_tree.mutual, path=path, on=ON)

    assert (again.imported, again.skipped, again.failed) == (3, 3, 0)
    assert Household.objects.get(external_id="H3").memberships.count() == 2
    assert Membership.objects.count() == 6


@pytest.mark.django_db
def test_the_pending_entries_of_the_name_indexes_are_merged_after_a_large_import():
    # After a large import, searches must not read a backlog of pending GIN entries.
    from django.db import connection

    from mutualis.members.importer import _gin_flush

    _gin_flush()  # a no-op on SQLite; on PostgreSQL, merges the pending lists
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'person_name_trgm'")
            assert cur.fetchone()[0] == 1


# --- Bulk-load path (PostgreSQL) ---------------------------------------------------


def _schema():
    """Index and constraint definitions of the register's tables, as the catalogue has them."""
    from django.db import connection

    tables = [
        "members_person",
        "members_household",
        "members_membership",
        "members_membershipstatuschange",
        "members_duplicatecandidate",
    ]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
            "convalidated, condeferrable, condeferred FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        return indexes, cur.fetchall()


def _postgresql():
    from django.db import connection

    return connection.vendor == "postgresql"


def test_a_bulk_import_leaves_the_indexes_and_constraints_as_they_were(org_tree, clerk_a, tmp_path):
    if not _postgresql():
        # SQLite has no bulk-load path: asking for it imports by slices, all the same.
        result = importer.import_members(
            actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, SPLIT), on=ON, bulk=True
        )
        assert (result.imported, result.households, result.bulk) == (6, 3, False)
        assert BatchLog.objects.get().status == "succeeded"
        return
    before = _schema()
    assert any(name == "person_name_trgm" for _t, name, _d in before[0])

    result = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, SPLIT), on=ON, bulk=True
    )

    assert (result.imported, result.households, result.bulk) == (6, 3, True)
    assert _schema() == before
    log = BatchLog.objects.get()
    assert (log.status, log.rows_done, log.parameters["bulk"]) == ("succeeded", 6, True)
    assert Household.objects.get(external_id="H1").head.external_id == "P1"
    assert Membership.objects.filter(status="active").count() == 6
    # Keys come from the sequences: a clerk enrolling afterwards gets the next one.
    assert Person.objects.create(
        mutual=org_tree.mutual, first_name="Awa", last_name="Ba", sex="F"
    ).pk > max(Person.objects.exclude(external_id="").values_list("pk", flat=True))


def test_a_failure_during_a_bulk_import_rolls_back_to_the_register_as_it_was(
    org_tree, clerk_a, tmp_path, monkeypatch
):
    if not _postgresql():
        pytest.skip("the bulk-load path exists on PostgreSQL only")
    earlier = GOOD_AND_BAD.replace("H1;", "G1;").replace("H2;", "G2;").replace(";P", ";Q")
    importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, earlier), on=ON
    )
    before = _schema()
    persons = sorted(Person.objects.values_list("external_id", flat=True))
    real = importer._copy

    def crash_on_memberships(table, *args):
        if table == "members_membership":  # persons and households already copied
            raise RuntimeError("disk full")
        return real(table, *args)

    monkeypatch.setattr(importer, "_copy", crash_on_memberships)
    with pytest.raises(RuntimeError):
        importer.import_members(
            actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, SPLIT), on=ON, bulk=True
        )

    assert _schema() == before
    assert sorted(Person.objects.values_list("external_id", flat=True)) == persons
    failed = BatchLog.objects.order_by("pk").last()
    assert failed.status == "failed" and "disk full" in failed.message
    monkeypatch.setattr(importer, "_copy", real)
    again = importer.import_members(
        actor=clerk_a, mutual=org_tree.mutual, path=write(tmp_path, SPLIT), on=ON, bulk=True
    )
    assert again.imported == 6


def test_a_bulk_import_pairs_new_persons_with_the_register(org_tree, clerk_a, tmp_path):
    first = (
        "household_id,person_id,relationship,last_name,first_names,sex,birth_date,national_id,"
        "locality,section\n"
        "A,A1,head,Ndiaye,Hélène,F,1984,,Thiès,MAF-A\n"
        "C,C1,head,Sow,Awa,F,1990,1234567890123,Pout,MAF-A\n"
    )
    second = first.replace("A,A1,head,Ndiaye,Hélène", "B,B1,head,NDIAYE,Helene").replace(
        "C,C1,head,Sow,Awa", "D,D1,head,Ba,Coumba"
    )
    kw = {"actor": clerk_a, "mutual": org_tree.mutual, "on": ON}
    importer.import_members(path=write(tmp_path, first), **kw)

    result = importer.import_members(path=write(tmp_path, second, "b.csv"), bulk=True, **kw)

    assert (result.imported, result.duplicates) == (2, 2)
    pairs = set(DuplicateCandidate.objects.values_list("person__external_id", "other__external_id"))
    assert pairs == {("B1", "A1"), ("D1", "C1")}


def test_a_large_file_into_a_smaller_register_takes_the_bulk_path(
    org_tree, clerk_a, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer.bulkload, "BULK_MIN_ROWS", 4)
    kw = {"actor": clerk_a, "mutual": org_tree.mutual, "on": ON}
    earlier = GOOD_AND_BAD.replace("H1;", "G1;").replace("H2;", "G2;").replace(";P", ";Q")
    small = importer.import_members(path=write(tmp_path, earlier), **kw)  # 3 rows < 4
    large = importer.import_members(path=write(tmp_path, SPLIT, "s.csv"), **kw)  # 6 >= 3 there
    refused = importer.import_members(
        path=write(tmp_path, SPLIT.replace(",P", ",R").replace("H", "K"), "t.csv"), bulk=False, **kw
    )

    assert small.bulk is False
    assert large.bulk is _postgresql()
    assert refused.bulk is False
