"""Microsoft 365 sign-in errors become messages that say what to check."""

from __future__ import annotations

import pytest

from ingest.mail.oauth import OAuthError, acquire_token, explain
from store.config.mail import MailAccount

ACCT = MailAccount(name="raadgiver", host="outlook.office365.com", username="r@kommune.dk",
                   auth="xoauth2", tenant_id="contoso.onmicrosoft.com",
                   client_id="00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(("result", "needle"), [
    ({"error": "invalid_grant", "error_description": "AADSTS70008: The refresh token has "
      "expired"}, "expired"),
    ({"error": "invalid_grant", "error_description": "AADSTS65001: The user or "
      "administrator has not consented"}, "administrator must grant"),
    ({"error": "invalid_client", "error_description": "AADSTS7000222: The provided client "
      "secret keys are expired"}, "client secret has expired"),
    ({"error": "invalid_grant"}, "expired or was revoked"),
    ({"error": "unauthorized_client"}, "Allow public client flows"),
    ({}, "check tenant_id, client_id"),
])
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
