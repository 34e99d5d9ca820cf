"""Access-token verification: Auth0 RS256 tokens, and HS256 development tokens when enabled."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import jwt

from trunkline.auth.errors import AuthenticationError
from trunkline.auth.jwks import JwksCache
from trunkline.auth.principal import Principal, Role
from trunkline.settings import DEV_AUDIENCE, DEV_ISSUER, Settings

# Clock skew tolerated on exp/nbf/iat between Auth0 and us.
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class TokenVerifier:
    """Turns a bearer token into a :class:`Principal`, or raises :class:`AuthenticationError`.

    The algorithm is chosen by configuration, never by the token: RS256 tokens are checked with
    Auth0's published keys; HS256 only with the development secret, and only when development
    auth is on. Everything else (``none``, HS256 signed with the RSA public key, ...) is refused.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._dev_secret = settings.dev_secret
        jwks_url = settings.effective_jwks_url
        self.jwks = (
            JwksCache(
                jwks_url,
                timeout=settings.jwks_timeout_seconds,
                cooldown=settings.jwks_refetch_cooldown_seconds,
            )
            if jwks_url
            else None
        )

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"malformed token: {exc}") from exc
        algorithm = header.get("alg")
        if algorithm == "RS256" and self.jwks is not None:
            claims = await self._verify_rs256(token, header)
        elif algorithm == "HS256" and self._dev_secret is not None:
            claims = self._decode(token, self._dev_secret, "HS256", DEV_ISSUER, DEV_AUDIENCE)
        else:
            raise AuthenticationError(f"algorithm {algorithm!r} is not accepted")
        return self._principal(claims)

    async def _verify_rs256(self, token: str, header: Mapping[str, Any]) -> dict[str, Any]:
        assert self.jwks is not None
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("token has no kid")
        key = await self.jwks.key_for(kid)
        return self._decode(
            token,
            key,
            "RS256",
            self._settings.auth0_issuer,
            self._settings.auth0_audience,
        )

    @staticmethod
    def _decode(token: str, key: Any, algorithm: str, issuer: str, audience: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=issuer,
                audience=audience,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "verify_signature": True},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"token rejected: {exc}") from exc

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        now = time.time()
        session_start = self._session_start(claims)
        session_end = session_start + self._settings.max_session_hours * 3600
        if now > session_end:
            raise AuthenticationError("session is older than the maximum session length")
        roles = _known_roles(claims.get(self._settings.roles_claim))
        org_id = claims.get("org_id")
        if org_id is not None and not isinstance(org_id, str):
            raise AuthenticationError("org_id is not a string")
        if org_id is None and Role.PLATFORM_ADMIN not in roles:
            raise AuthenticationError("token carries no organization")
        expires_at = min(float(claims["exp"]), session_end)
        return Principal(
            user_id=str(claims["sub"]),
            org_id=org_id,
            roles=roles,
            expires_at=datetime.fromtimestamp(expires_at, tz=UTC),
        )

    def _session_start(self, claims: Mapping[str, Any]) -> float:
        for name in (self._settings.session_claim, "auth_time", "iat"):
            if name in claims:
                return _timestamp(claims[name], name)
        raise AuthenticationError("token says nothing of when the session began")


def _timestamp(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise AuthenticationError(f"{name} is not a time")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AuthenticationError(f"{name} is not a time") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    raise AuthenticationError(f"{name} is not a time")


def _known_roles(value: Any) -> frozenset[Role]:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        return frozenset()
    known = {role.value for role in Role}
    return frozenset(Role(item) for item in value if isinstance(item, str) and item in known)


def mint_dev_token(
    secret: str,
    *,
    org_id: str,
    user_id: str,
    roles: Iterable[str],
    ttl_seconds: int,
    roles_claim: str,
) -> str:
    """An HS256 token the development auth accepts (``trunkline token``)."""
    now = int(time.time())
    claims = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": user_id,
        "org_id": org_id,
        "iat": now,
        "exp": now + ttl_seconds,
        roles_claim: list(roles),
    }
    return jwt.encode(claims, secret, algorithm="HS256")
