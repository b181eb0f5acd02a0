"""Result codes: random, at least 80 bits, grouped for reading; only their hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

# Crockford's base32: no I, L, O, U, so a code read aloud or typed from paper survives.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH: Final = 16  # 16 × 5 bits = 80 bits
_CONFUSABLE: Final = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
_SEPARATORS: Final = re.compile(r"[\s\-_.]+")


def new_code() -> str:
    """A fresh random code such as 7K3M-Q9TX-2B4F-HW8D."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return group(raw)


def group(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize(text: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be one (too long, wrong letters)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return group(raw)


def code_hash(code: str) -> str:
    """SHA-256 of the canonical code: what the store keeps instead of the code."""
    canonical = normalize(code)
    if canonical is None:
        raise ValueError("not a result code")
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
