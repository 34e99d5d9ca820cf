"""Tenants with real sandbox Twilio accounts, configured through the public GraphQL API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.numbers import unheld, unheld_number

SAVE_CREDENTIALS = """
mutation Save($input: SaveTwilioCredentialsInput!) {
  saveTwilioCredentials(input: $input) {
    __typename
    ... on TwilioSettings { configured enabled accountSid fromNumber validatedAt }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { provider providerCode }
  }
}
"""

BUY_NUMBER = """
mutation Buy($input: BuyNumberInput!) {
  buyNumber(input: $input) {
    __typename
    ... on PhoneNumber {
      id sid phoneNumber status ownerId label websiteId capabilities { voice sms mms }
    }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { providerCode }
  }
}
"""

AVAILABLE = """
query Available($country: String!, $areaCode: String, $first: Int) {
  availableNumbers(country: $country, areaCode: $areaCode, first: $first) { phoneNumber }
}
"""


@dataclass(frozen=True)
class SandboxAccount:
    account_sid: str
    auth_token: str


async def open_sandbox_account(carrier: str) -> SandboxAccount:
    async with httpx.AsyncClient(base_url=carrier) as client:
        response = await client.post("/control/accounts")
        response.raise_for_status()
        body = response.json()
    return SandboxAccount(account_sid=body["account_sid"], auth_token=body["auth_token"])


@dataclass
class Tenant:
    """One organization with its people's tokens."""

    org: str
    graphql: GraphQLClient
    identity: IdentityProvider
    account: SandboxAccount | None = None

    def token(self, *roles: str, sub: str | None = None) -> str:
        return self.identity.token(
            org=self.org, sub=sub or f"auth0|{'-'.join(roles) or 'agent'}", roles=list(roles)
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str | tuple[str, ...]
    ) -> dict[str, Any]:
        roles = (as_,) if isinstance(as_, str) else as_
        return await self.graphql.execute(query, variables, token=self.token(*roles))

    async def connect_twilio(self, carrier: str, **extra: str) -> dict[str, Any]:
        self.account = await open_sandbox_account(carrier)
        result = await self.execute(
            SAVE_CREDENTIALS,
            {
                "input": {
                    "accountSid": self.account.account_sid,
                    "authToken": self.account.auth_token,
                    **extra,
                }
            },
            as_="support",
        )
        assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", result
        return result["data"]["saveTwilioCredentials"]

    async def connect_twilio_with_a_number(
        self, carrier: str, *, area_code: str | None = None
    ) -> dict[str, Any]:
        """Connect a new sandbox account, buy a number, and save it as the from number.

        The second save omits the auth token, so it also shows the stored token is kept.
        """
        await self.connect_twilio(carrier)
        assert self.account is not None
        bought = await self.buy_any_number(area_code=area_code)
        result = await self.execute(
            SAVE_CREDENTIALS,
            {
                "input": {
                    "accountSid": self.account.account_sid,
                    "fromNumber": bought["phoneNumber"],
                }
            },
            as_="support",
        )
        assert result["data"]["saveTwilioCredentials"]["fromNumber"] == bought["phoneNumber"]
        return bought

    async def buy_any_number(
        self, country: str = "US", *, area_code: str | None = None, **input_: str
    ) -> dict[str, Any]:
        """A number no tenant of the test database holds (of ``area_code`` if given, else of the
        first US area code in turn with one free: see tests/support/numbers.py)."""

        async def offered_in(code: str | None) -> list[str]:
            available = await self.execute(
                AVAILABLE, {"country": country, "areaCode": code, "first": 100}, as_="admin"
            )
            return [n["phoneNumber"] for n in available["data"]["availableNumbers"]]

        if area_code is not None or country != "US":
            candidates = await unheld(await offered_in(area_code))
        else:
            candidates = [await unheld_number(offered_in)]
        result = await self.execute(
            BUY_NUMBER, {"input": {"phoneNumber": candidates[0], **input_}}, as_="admin"
        )
        bought = result["data"]["buyNumber"]
        assert bought["__typename"] == "PhoneNumber", result
        return bought
