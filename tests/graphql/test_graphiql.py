"""GraphiQL in development works without internet: every asset it loads is the gateway's own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import Backend
from tests.support.processes import serving_gateway
from trunkline.graphql.ide import ASSETS_DIR

# The page's favicon is an inline SVG: its xmlns names a namespace and is never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="(?P<url>[^"]+)\"""")


@pytest.fixture(scope="module")
async def development(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    data_dir = tmp_path_factory.mktemp("graphiql")
    async with serving_gateway(
        data_dir, database_url=backend.database_url, redis_url=backend.redis_url
    ) as server:
        yield server.url


async def _page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_graphiql_page_names_no_address_beyond_the_gateway(development: str) -> None:
    async with httpx.AsyncClient(base_url=development) as client:
        page = await _page(client)

    external = [
        url
        for url in re.findall(r"https?://[^\s\"'`)<>%]+", page)
        if url != SVG_NAMESPACE and urlsplit(url).hostname not in LOOPBACK
    ]

    assert "graphiql" in page.lower()
    assert external == []


async def test_every_asset_of_the_graphiql_page_is_served_with_its_type(development: str) -> None:
    async with httpx.AsyncClient(base_url=development) as client:
        page = await _page(client)
        assets = [m["url"] for m in ASSET.finditer(page) if not m["url"].startswith("data:")]
        responses = {url: await client.get(url) for url in assets}

    scripts = [url for url in assets if url.endswith(".js")]
    styles = [url for url in assets if url.endswith(".css")]
    assert len(scripts) == 5  # react, react-dom, js-cookie, graphiql, the explorer plugin
    assert len(styles) == 2
    assert sorted(scripts + styles) == sorted(assets)
    for url, response in responses.items():
        assert url.startswith("/static/graphiql/"), url
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "text/css"
        assert kind in response.headers["content-type"], (url, response.headers["content-type"])
        assert len(response.content) > 500, url


def test_every_vendored_package_carries_its_licence() -> None:
    # One directory per npm package, named `{name}@{version}` (a scope's `@` comes first).
    packages = [path for path in ASSETS_DIR.rglob("*@*") if "@" in path.name[1:]]

    assert len(packages) == 5
    for package in packages:
        licence = (package / "LICENSE").read_text()
        assert "Permission is hereby granted, free of charge" in licence, package  # MIT


async def test_production_serves_neither_graphiql_nor_its_assets(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        asset = await client.get("/static/graphiql/graphiql@3.8.3/graphiql.min.js")

    assert "graphiql" not in page.text.lower()
    assert asset.status_code == 404
