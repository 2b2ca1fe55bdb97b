"""Content-Disposition for every download: a file name that cannot break the header (RFC 6266, RFC 8187).

File names are built from record values (a medical record number, a date range). A CR/LF in one made Django
refuse the header, so that patient's summary PDF always answered 500, and a quote could end the name early.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# The ASCII fallback keeps only characters that need no quoting anywhere; every other run becomes one "_".
_UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_LENGTH = 150  # well under the 255 bytes most file systems allow, after percent-encoding is undone


def _clean(filename: str) -> str:
    """The name with control characters (CR, LF, NUL ...) and path separators removed, trimmed to a sane length."""
    text = unicodedata.normalize("NFC", filename)
    text = "".join("-" if ch in "/\\" else ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().strip(".") or "download"  # a leading dot would hide the file; trailing dots vanish on Windows
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, suffix = text.rpartition(".")
        keep = f"{dot}{suffix}" if dot and len(suffix) <= 10 else ""
        text = text[: MAX_NAME_LENGTH - len(keep)] + keep
    return text


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded`: old clients read the first, the rest both."""
    name = _clean(filename)
    # Accents fold to their letter (é -> e); other non-ASCII letters drop out; "日本.pdf" keeps its type.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE_IN_FALLBACK.sub("_", ascii_name).strip("_")
    if not fallback.strip("._-") or fallback.startswith("."):
        fallback = "download" + (fallback if fallback.startswith(".") else "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
