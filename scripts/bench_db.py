"""Create the benchmarks' own PostgreSQL database if it is missing (`make bench`).

    python scripts/bench_db.py postgres://postgres@127.0.0.1:5432/mutualis_bench

Benchmarks write millions of rows; they never run on the database of `make run`.
"""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"make bench needs PostgreSQL: BENCH_DATABASE_URL={url!r}")
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created the benchmark database {name}.")
    except psycopg.OperationalError as exc:
        sys.exit(f"PostgreSQL is not reachable for the benchmarks ({url}): {exc}")


if __name__ == "__main__":
    main(sys.argv[1])
