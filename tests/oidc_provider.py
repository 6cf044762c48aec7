"""A fake OpenID Connect identity provider served on 127.0.0.1 for the tests: discovery, an
authorize endpoint that consents at once (redirecting back with a code), a token endpoint that
checks the client secret, the redirect URI and the PKCE verifier and answers with an ID token
signed (RS256) by a key made for the test, a userinfo endpoint and the JWKS.

`identity` is what the provider says about the person; tests change it between flows."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "stretch-test"
CLIENT_SECRET = "test-secret-not-real"
KID = "test-key-1"


@dataclass
class FakeProvider:
    base_url: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # "GET /path" for every request served
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: Any = None

    @property
    def issuer(self) -> str:
        return self.base_url

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "userinfo_endpoint": f"{self.base_url}/userinfo",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, claims: dict[str, Any], nonce: str | None) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KID})

    def settings(self, provider_id: str = "acme", name: str = "Acme SSO") -> dict[str, Any]:
        """SOCIALACCOUNT_PROVIDERS as config/settings/base.py builds it from OIDC_* variables."""
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": provider_id,
                        "name": name,
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.base_url},
                    }
                ],
            }
        }


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(f"GET {url.path}")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(provider.discovery())
            if url.path == "/jwks":
                return self._json(provider.jwks())
            if url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    return self._json({"error": "invalid_request"}, 400)
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query.get("code_challenge"),
                    "nonce": query.get("nonce"),
                    "identity": dict(provider.identity),
                }
                target = (
                    f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                grant = provider.access_tokens.get(token)
                if grant is None:
                    return self._json({"error": "invalid_token"}, 401)
                return self._json(grant["identity"])
            return self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(f"POST {url.path}")
            if url.path != "/token":
                return self._json({"error": "not_found"}, 404)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client_id, secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            provider.token_requests.append(form)
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                return self._json({"error": "invalid_client"}, 401)
            grant = provider.codes.pop(form.get("code", ""), None)  # a code is good once
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return self._json({"error": "invalid_grant"}, 400)
            verifier = form.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if grant["challenge"] and digest != grant["challenge"]:
                return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            access = secrets.token_urlsafe(16)
            provider.access_tokens[access] = grant
            claims = {k: v for k, v in grant["identity"].items() if k in ("sub", "email", "email_verified")}
            return self._json(
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(claims, grant["nonce"]),
                }
            )

    return Handler


@contextmanager
def serve_provider():
    provider = FakeProvider(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
