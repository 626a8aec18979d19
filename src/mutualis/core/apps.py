from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mutualis.core"
    label = "core"
    verbose_name = _("Organisation and access")

    def ready(self) -> None:
        _cache_statement_conversion()


def _cache_statement_conversion() -> None:
    """psycopg rewrites each query's `%s` into `$n` and caches that only for queries of
    at most 50 parameters and 4 KB, against ORMs' endless `VALUES` shapes. Ours have
    fixed shapes (`core.rows.insert_family`: a claim with its lines is about 100
    parameters and 4.3 KB), so the limits are raised; the cache stays an LRU of 128
    statements (about 2 MB at most)."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < 400:
        _queries.MAX_CACHED_STATEMENT_PARAMS = 400
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 0) < 16384:
        _queries.MAX_CACHED_STATEMENT_LENGTH = 16384
