"""CORS preflight: the headers browser clients send (Apollo Client's among them) are allowed.

Development allows any requested header from any origin; production allows the configured
origins and headers (by default the token, JSON, Apollo's client headers and a request id).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import Backend
from tests.support.processes import serving_gateway
from trunkline.settings import DEFAULT_CORS_HEADERS, Settings

SPA = "https://spa.example"
APOLLO_HEADERS = (
    "authorization,content-type,apollographql-client-name,apollographql-client-version,x-request-id"
)


def _preflight(origin: str, headers: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


def _allowed(response: httpx.Response) -> set[str]:
    value = response.headers.get("access-control-allow-headers", "")
    return {header.strip().lower() for header in value.split(",") if header.strip()}


@pytest.fixture(scope="module")
async def development(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with serving_gateway(
        tmp_path_factory.mktemp("cors-dev"),
        database_url=backend.database_url,
        redis_url=backend.redis_url,
    ) as server:
        yield server.url


@pytest.fixture(scope="module")
async def production(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with serving_gateway(
        tmp_path_factory.mktemp("cors-prod"),
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        # A preflight never verifies a token: the issuer is never contacted.
        TRUNKLINE_AUTH0_ISSUER="https://example.eu.auth0.com/",
        TRUNKLINE_AUTH0_AUDIENCE="https://api.example.com",
        TRUNKLINE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        TRUNKLINE_CORS_ORIGINS=SPA,
    ) as server:
        yield server.url


async def test_development_preflight_allows_apollo_s_headers_and_any_other(
    development: str,
) -> None:
    requested = f"{APOLLO_HEADERS},x-made-up-header"
    async with httpx.AsyncClient(base_url=development) as client:
        response = await client.options(
            "/graphql", headers=_preflight("http://localhost:5173", requested)
        )

    assert response.status_code == 200
    assert set(requested.split(",")) <= _allowed(response)
    assert response.headers["access-control-allow-origin"] in {"*", "http://localhost:5173"}


async def test_production_preflight_allows_apollo_s_headers_from_a_configured_origin(
    production: str,
) -> None:
    async with httpx.AsyncClient(base_url=production) as client:
        response = await client.options("/graphql", headers=_preflight(SPA, APOLLO_HEADERS))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SPA
    assert set(APOLLO_HEADERS.split(",")) <= _allowed(response)


async def test_production_preflight_refuses_an_unlisted_header_or_origin(production: str) -> None:
    async with httpx.AsyncClient(base_url=production) as client:
        header = await client.options("/graphql", headers=_preflight(SPA, "x-made-up-header"))
        origin = await client.options(
            "/graphql", headers=_preflight("https://evil.example", "authorization")
        )

    assert header.status_code == 400
    assert "x-made-up-header" not in _allowed(header)
    assert origin.status_code == 400
    assert "access-control-allow-origin" not in origin.headers


def test_cors_headers_are_configurable_and_default_by_mode(tmp_path: Path) -> None:
    production = {
        "auth0_issuer": "https://example.eu.auth0.com/",
        "auth0_audience": "https://api.example.com",
        "encryption_keys": Fernet.generate_key().decode(),
        "_env_file": None,
    }
    development = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    default = Settings(data_dir=tmp_path, **production)  # type: ignore[arg-type]
    listed = Settings(
        data_dir=tmp_path,
        cors_headers=" Authorization, X-Tenant-Hint ,",
        **production,  # type: ignore[arg-type]
    )

    assert development.cors_header_list == ["*"]
    assert default.cors_header_list == list(DEFAULT_CORS_HEADERS)
    assert listed.cors_header_list == ["Authorization", "X-Tenant-Hint"]
