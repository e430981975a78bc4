"""OAuth2 tokens for Microsoft 365 IMAP (XOAUTH2), from msal.

- "device" flow: the advisor signs in once in a browser (`borgerdesk mail login NAME`);
  afterwards the refresh token in the cache renews access silently.
- "client_credentials": an unattended daemon with an app registration and a client
  secret (looked up like a password: keyring, password_env, password_file).

The msal token cache of a device sign-in (a refresh token that signs in as the advisor
for months) is serialised into the OS keyring; on a host with none (the usual server) it
goes to a 0600 file in the user's data folder instead. An app-only token lives an hour and
is fetched again with the client secret, so its cache is kept in the process's memory
only: the sign-in never fails for want of somewhere to keep it.
msal's error codes are turned into messages that say what to check; a bare
"AUTHENTICATE failed" tells the advisor nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

from store import secrets
from store.config.mail import MailAccount
from store.errors import UserError
from store.outfile import atomic_output
from store.secrets import SecretError, get_secret, mail_key, oauth_cache_key

DELEGATED_SCOPES = ["https://outlook.office.com/IMAP.AccessAsUser.All"]
# Sending replies (ingest.mail.submit): SMTP AUTH with the signed-in advisor's token.
SMTP_SCOPES = ["https://outlook.office.com/SMTP.Send"]
APP_SCOPES = ["https://outlook.office365.com/.default"]


class OAuthError(UserError):
    """A token could not be had; the message says what to check."""


# AADSTS codes seen in practice -> what the advisor or IT should check.
_HINTS = {
    "AADSTS50173": "the sign-in has expired or the password changed; sign in again",
    "AADSTS70008": "the sign-in has expired; sign in again",
    "AADSTS700082": "the sign-in has expired (unused for 90 days); sign in again",
    "AADSTS50076": "multi-factor sign-in is required; sign in again",
    "AADSTS65001": "consent is missing: an administrator must grant the app's IMAP permission "
    "(IMAP.AccessAsUser.All or IMAP.AccessAsApp) in Entra ID",
    "AADSTS650057": "the app registration lacks the IMAP permission; add it in Entra ID",
    "AADSTS700016": "the client_id is not found in this tenant; check tenant_id and client_id",
    "AADSTS90002": "the tenant is not found; check tenant_id",
    "AADSTS7000215": "the client secret is wrong; check the stored secret",
    "AADSTS7000222": "the client secret has expired; create a new one in Entra ID",
    "AADSTS50034": "the user does not exist in this tenant; check username",
    "AADSTS53003": "blocked by a conditional access policy; ask IT",
}
_ERROR_HINTS = {
    "invalid_grant": "the sign-in has expired or was revoked; sign in again",
    "consent_required": _HINTS["AADSTS65001"],
    "interaction_required": "a new interactive sign-in is required",
    "invalid_client": "the client_id or client secret is wrong or expired",
    "unauthorized_client": "the app registration does not allow this flow; for the device "
    "login enable 'Allow public client flows'",
    "authorization_declined": "the sign-in was declined in the browser",
    "expired_token": "the device code expired before the sign-in finished; try again",
}


def explain(account: MailAccount, result: dict[str, Any]) -> str:
    """One line from an msal error result."""
    desc = str(result.get("error_description") or "")
    codes = [c for c in _HINTS if c in desc]
    hint = (
        _HINTS[codes[0]]
        if codes
        else _ERROR_HINTS.get(
            str(result.get("error")), "check tenant_id, client_id and the app's IMAP permission"
        )
    )
    code = codes[0] if codes else str(result.get("error") or "unknown error")
    then = (
        f"; then run 'borgerdesk mail login {account.name}'"
        if account.oauth_flow == "device"
        else ""
    )
    return f"account {account.name}: Microsoft 365 sign-in failed ({code}): {hint}{then}"


# App-only caches, per account, for this process (see the module's docstring).
_APP_CACHES: dict[str, str] = {}


def cache_file(account: MailAccount) -> Path:
    """Where a device sign-in's token cache is kept when there is no OS keyring."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", account.name)
    return Path(platformdirs.user_data_dir("borgerdesk")) / "oauth" / f"{name}.json"


class _TokenCache:
    """msal's SerializableTokenCache: app-only in memory; a device sign-in in the OS
    keyring, or a 0600 file where the host has no keyring."""

    def __init__(self, account: MailAccount) -> None:
        import msal

        self.app_only = account.oauth_flow == "client_credentials"
        self.name = account.name
        self.key = oauth_cache_key(account.name)
        self.file = cache_file(account)
        self.cache = msal.SerializableTokenCache()
        if self.app_only:
            blob = _APP_CACHES.get(self.name)
        else:
            blob = secrets._keyring_get(self.key)
            if not blob and self.file.exists():
                blob = secrets.read_private_file(self.file, what="token cache")
        if blob:
            self.cache.deserialize(blob)

    def save(self) -> None:
        if not self.cache.has_state_changed:
            return
        blob = self.cache.serialize()
        if self.app_only:
            _APP_CACHES[self.name] = blob
            return
        try:
            secrets.keyring_set(self.key, blob)
        except SecretError:
            self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with atomic_output(self.file, mode=0o600) as tmp:
                tmp.write_text(blob, encoding="utf-8")
            return
        # Kept in the keyring now: an older copy in the file would outlive a sign-out.
        self.file.unlink(missing_ok=True)


def _authority(account: MailAccount) -> str:
    return f"https://login.microsoftonline.com/{account.tenant_id}"


def acquire_token(
    account: MailAccount,
    *,
    interactive: bool = False,
    show: Callable[[str], None] | None = None,
    scopes: list[str] | None = None,
) -> str:
    """An access token for IMAP (or `scopes`, e.g. SMTP_SCOPES). Silent unless
    `interactive` (the device-code login, whose instructions go to `show`)."""
    import msal

    if account.auth != "xoauth2":
        raise OAuthError(f'account {account.name} does not use auth = "xoauth2"')
    store = _TokenCache(account)
    try:
        if account.oauth_flow == "client_credentials":
            secret = get_secret(
                mail_key(account.name),
                env=account.password_env,
                file=account.password_file,
                what="client secret",
            )
            capp = msal.ConfidentialClientApplication(
                account.client_id,
                client_credential=secret,
                authority=_authority(account),
                token_cache=store.cache,
            )
            result = capp.acquire_token_for_client(scopes=APP_SCOPES)
        else:
            papp = msal.PublicClientApplication(
                account.client_id, authority=_authority(account), token_cache=store.cache
            )
            result = None
            known = papp.get_accounts(username=account.username)
            if known:
                result = papp.acquire_token_silent(scopes or DELEGATED_SCOPES, account=known[0])
            if not result and not interactive:
                raise OAuthError(
                    f"account {account.name}: no valid Microsoft 365 sign-in in the keyring "
                    f"(never signed in, expired or revoked); run 'borgerdesk mail login "
                    f"{account.name}'"
                )
            if not result:
                flow = papp.initiate_device_flow(scopes=scopes or DELEGATED_SCOPES)
                if "user_code" not in flow:
                    raise OAuthError(explain(account, flow))
                (show or print)(str(flow["message"]))
                result = papp.acquire_token_by_device_flow(flow)
    except OAuthError:
        raise
    except UserError:
        raise
    except Exception as e:  # network errors from msal/requests
        raise OAuthError(
            f"account {account.name}: cannot reach Microsoft 365 sign-in ({type(e).__name__}); "
            "check the network"
        ) from None
    if not result or "access_token" not in result:
        raise OAuthError(explain(account, result or {}))
    store.save()
    return str(result["access_token"])
