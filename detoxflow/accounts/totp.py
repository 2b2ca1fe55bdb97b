"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps use.

Pure: the secret and the time come in; codes come out. A code from the step before or after is
accepted too, for clocks that drift.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import urllib.parse

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret in base32, the form authenticator apps take."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, unix_time: float, digits: int = DIGITS) -> str:
    """The code for the 30-second step that holds `unix_time`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = struct.pack(">Q", int(unix_time // STEP_SECONDS))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def verify(secret: str, code: str, unix_time: float) -> bool:
    """True if `code` matches this step or the one before or after."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == DIGITS):
        return False
    return any(hmac.compare_digest(code_at(secret, unix_time + drift * STEP_SECONDS), code) for drift in (-1, 0, 1))


def provisioning_uri(secret: str, account: str, issuer: str = "DetoxFlow") -> str:
    """The otpauth:// address an authenticator app can import."""
    label = urllib.parse.quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={urllib.parse.quote(issuer)}&digits={DIGITS}&period=30"
