from mutualis.settings import database_from_url


def test_postgres_url_is_parsed():
    db = database_from_url("postgres://postgres:s%40cret@127.0.0.1:5432/test")

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "test",
        "postgres",
        "s@cret",
        "127.0.0.1",
        "5432",
    )


def test_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout():
    db = database_from_url("sqlite:////tmp/x.sqlite3")

    assert db["NAME"] == "/tmp/x.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 10


def test_debug_is_off_unless_asked():
    from django.conf import settings

    assert settings.DEBUG is False


def test_sessions_end_after_thirty_idle_minutes():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
