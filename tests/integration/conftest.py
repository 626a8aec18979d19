"""Fixtures of several apps, for flows that cross them."""

from tests.benefits.conftest import world  # noqa: F401
from tests.contributions.conftest import schedule  # noqa: F401
