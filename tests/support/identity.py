"""A stand-in Auth0 tenant: RSA keys, a JWKS served on loopback, and real RS256 tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

AUDIENCE = "https://api.trunkline.test"
ROLES_CLAIM = "https://trunkline.dev/roles"
SESSION_CLAIM = "https://trunkline.dev/authenticated_at"


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class IdentityProvider:
    """Publishes a JWKS (counting fetches) and signs tokens as Auth0 would."""

    def __init__(self) -> None:
        self.keys = [SigningKey("key-1")]
        self.jwks_fetches = 0
        self.issuer = ""  # known once served: f"{base_url}/"
        self.app = Starlette(routes=[Route("/.well-known/jwks.json", self._jwks)])

    async def _jwks(self, request: Request) -> JSONResponse:
        self.jwks_fetches += 1
        return JSONResponse({"keys": [key.public_jwk() for key in self.keys]})

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}.well-known/jwks.json"

    def claims(
        self,
        *,
        org: str | None = "org_alpha",
        sub: str = "auth0|alice",
        roles: list[str] | None = None,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": [AUDIENCE, f"{self.issuer}userinfo"],
            "sub": sub,
            "iat": now,
            "exp": now + 3600,
            ROLES_CLAIM: roles if roles is not None else [],
        }
        if org is not None:
            claims["org_id"] = org
        return claims

    def sign(
        self, claims: dict[str, Any], *, key: SigningKey | None = None, kid: str | None = None
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid}
        )

    def token(
        self,
        *,
        org: str | None = "org_alpha",
        sub: str = "auth0|alice",
        roles: list[str] | None = None,
        **overrides: Any,
    ) -> str:
        claims = {**self.claims(org=org, sub=sub, roles=roles), **overrides}
        return self.sign({k: v for k, v in claims.items() if v is not None})


def unsigned_token(claims: dict[str, Any]) -> str:
    """``alg: none``: a token with no signature at all."""
    return _compact({"alg": "none", "typ": "JWT"}, claims, b"")


def hs256_with_public_key(claims: dict[str, Any], key: SigningKey) -> str:
    """The key-confusion attack: HS256 with the RSA *public* key as the HMAC secret."""
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _compact(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    return (
        f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{_b64(signature)}"
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
