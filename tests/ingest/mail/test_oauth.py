"""Microsoft 365 sign-in errors become messages that say what to check."""

from __future__ import annotations

import pytest

from ingest.mail.oauth import OAuthError, acquire_token, explain
from store.config.mail import MailAccount

ACCT = MailAccount(
    name="raadgiver",
    host="outlook.office365.com",
    username="r@kommune.dk",
    auth="xoauth2",
    tenant_id="contoso.onmicrosoft.com",
    client_id="00000000-0000-0000-0000-000000000000",
)


@pytest.mark.parametrize(
    ("result", "needle"),
    [
        (
            {
                "error": "invalid_grant",
                "error_description": "AADSTS70008: The refresh token has expired",
            },
            "expired",
        ),
        (
            {
                "error": "invalid_grant",
                "error_description": "AADSTS65001: The user or administrator has not consented",
            },
            "administrator must grant",
        ),
        (
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000222: The provided client secret keys are expired",
            },
            "client secret has expired",
        ),
        ({"error": "invalid_grant"}, "expired or was revoked"),
        ({"error": "unauthorized_client"}, "Allow public client flows"),
        ({}, "check tenant_id, client_id"),
    ],
)
def test_msal_errors_are_explained(result: dict[str, str], needle: str) -> None:
    msg = explain(ACCT, result)
    assert needle in msg
    assert msg.startswith("account raadgiver: Microsoft 365 sign-in failed")
    assert "borgerdesk mail login raadgiver" in msg
    assert "\n" not in msg


def test_offline_or_unknown_tenant_fails_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import msal

    def no_network(*a: object, **k: object) -> None:
        raise ConnectionError("no route to login.microsoftonline.com")

    monkeypatch.setattr(msal.PublicClientApplication, "__init__", no_network)
    with pytest.raises(OAuthError) as e:
        acquire_token(ACCT)
    assert "cannot reach Microsoft 365 sign-in" in str(e.value)


def test_no_cached_sign_in_says_to_log_in(monkeypatch: pytest.MonkeyPatch) -> None:
    import msal

    monkeypatch.setattr(msal.PublicClientApplication, "__init__", lambda self, *a, **k: None)
    monkeypatch.setattr(msal.PublicClientApplication, "get_accounts", lambda self, **k: [])
    with pytest.raises(OAuthError, match="run 'borgerdesk mail login raadgiver'"):
        acquire_token(ACCT)


class _Resp:
    def __init__(self, data: dict[str, object]) -> None:
        import json

        self.status_code = 200
        self.text = json.dumps(data)
        self.headers: dict[str, str] = {}

    def raise_for_status(self) -> None:
        pass


class _Entra:
    """Microsoft's sign-in endpoints as msal calls them (its `http_client`): the test
    never reaches the network, and msal, its token cache and its parsing are real."""

    base = "https://login.microsoftonline.com/contoso.onmicrosoft.com"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.tokens = 0

    def get(self, url: str, **kw: object) -> _Resp:
        self.calls.append(("GET", url))
        b = self.base
        return _Resp(
            {
                "authorization_endpoint": f"{b}/oauth2/v2.0/authorize",
                "token_endpoint": f"{b}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{b}/oauth2/v2.0/devicecode",
                "issuer": f"{b}/v2.0",
            }
        )

    def post(self, url: str, **kw: object) -> _Resp:
        self.calls.append(("POST", url))
        self.tokens += 1
        return _Resp(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"app-token-{self.tokens}"}
        )

    def close(self) -> None:
        pass


def test_app_only_sign_in_works_on_a_host_without_an_os_keyring(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """msal's cache used to be saved to the keyring after the token was fetched: on a
    server with no keyring the sign-in failed although it had succeeded. App-only tokens
    are kept in memory: nothing is written, and the second sign-in uses the cache."""
    import functools

    import keyring
    import msal
    from keyring.backends import fail

    import ingest.mail.oauth as oauth

    acct = ACCT.model_copy(
        update={
            "name": "server",
            "oauth_flow": "client_credentials",
            "password_env": "BD_TEST_CLIENT_SECRET",
        }
    )
    monkeypatch.setenv("BD_TEST_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(oauth, "_APP_CACHES", {}, raising=False)
    entra = _Entra()
    monkeypatch.setattr(
        msal,
        "ConfidentialClientApplication",
        functools.partial(msal.ConfidentialClientApplication, http_client=entra),
    )
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(keyring.errors.NoKeyringError):
            keyring.set_password("borgerdesk", "x", "y")  # truly no keyring
        assert acquire_token(acct) == "app-token-1"
        assert acquire_token(acct) == "app-token-1"  # from the cache, no new request
    finally:
        keyring.set_keyring(before)
    assert entra.tokens == 1
    assert not (tmp_path / "data").exists()  # the token went nowhere on disk


def test_a_device_sign_in_without_a_keyring_is_kept_in_a_0600_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    import stat

    import keyring
    from keyring.backends import fail

    import ingest.mail.oauth as oauth

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = oauth._TokenCache(ACCT)
        store.cache.add(
            {  # what msal records after a device sign-in
                "client_id": ACCT.client_id,
                "scope": oauth.DELEGATED_SCOPES,
                "token_endpoint": f"{_Entra.base}/oauth2/v2.0/token",
                "response": {
                    "access_token": "at",
                    "refresh_token": "rt-secret",
                    "expires_in": 3600,
                    "token_type": "Bearer",
                },
            }
        )
        store.save()
        again = oauth._TokenCache(ACCT)
    finally:
        keyring.set_keyring(before)
    path = oauth.cache_file(ACCT)
    assert path.is_relative_to(tmp_path / "data")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "rt-secret" in again.cache.serialize()
