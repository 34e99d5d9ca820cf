"""Two organizations per test, so every test can also check isolation."""

from __future__ import annotations

import uuid

import pytest

from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import Tenant


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


@pytest.fixture
def other_tenant(graphql: GraphQLClient, identity: IdentityProvider) -> Tenant:
    return Tenant(org=f"org_{uuid.uuid4().hex[:12]}", graphql=graphql, identity=identity)
