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
    at most 50 parameters, against ORMs' endless `VALUES` shapes. Ours have fixed
    shapes (`core.rows.insert_family`: a claim with its lines is about 100), so the
    limit is raised; the cache stays an LRU of 128 statements (under 1 MB)."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < 400:
        _queries.MAX_CACHED_STATEMENT_PARAMS = 400
