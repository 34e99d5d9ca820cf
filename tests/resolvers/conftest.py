"""Two organizations per test, so every test can also check isolation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.sandbox.conformance import ExchangeRecorder, TwilioSpecs
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import Tenant


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


@pytest.fixture
def other_tenant(graphql: GraphQLClient, identity: IdentityProvider) -> Tenant:
    return Tenant(org=f"org_{uuid.uuid4().hex[:12]}", graphql=graphql, identity=identity)


# Twilio's Pricing API has no specification in tests/twilio_oai; its exchanges are not checked.
UNSPECIFIED_PRODUCTS = {"pricing"}


@pytest.fixture(scope="session")
def twilio_specs() -> TwilioSpecs:
    return TwilioSpecs()


@pytest.fixture(autouse=True)
def gateway_requests_conform_to_twilio_specs(
    carrier_exchanges: ExchangeRecorder, twilio_specs: TwilioSpecs
) -> Iterator[None]:
    """After each test: every request the gateway sent Twilio, and every answer, fits the specs."""
    first = len(carrier_exchanges.exchanges)
    yield
    exchanges = [
        e for e in carrier_exchanges.exchanges[first:] if e.product not in UNSPECIFIED_PRODUCTS
    ]
    violations = [v for exchange in exchanges for v in twilio_specs.violations(exchange)]
    assert not violations, "\n".join(violations)
