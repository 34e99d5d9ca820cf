"""GraphiQL without internet: strawberry's page, with its CDN assets served by the gateway."""

from __future__ import annotations

import re
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).resolve().parents[1] / "static" / "graphiql"
ASSETS_PATH = "/static/graphiql"

# strawberry's page loads `https://unpkg.com/{package}@{version}/{path}`; the same files, at the
# same versions (so the page's integrity hashes hold), are vendored under ASSETS_DIR.
_UNPKG = re.compile(r"https://unpkg\.com/")


def offline_graphiql_html() -> str:
    """strawberry's GraphiQL page, loading its scripts and styles from :data:`ASSETS_PATH`."""
    return _UNPKG.sub(f"{ASSETS_PATH}/", get_graphql_ide_html("graphiql"))
