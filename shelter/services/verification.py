"""Verification codes of the documents the shelter issues (handover
documents, care plan versions, reintegration plans): an HMAC-SHA256 of the document's canonical
content under a random key that exists only in the store, printed as eight
characters, so that a paper's reference and code, typed back, tell whether
the shelter issued it and whether the record still says what was printed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.storage.models import PlanVersion, ReintegrationDocument, StoreMeta

META_DOCUMENT_KEY = "document_key"
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U


def document_key(s: Session) -> bytes:
    """The store's document key, made the first time it is needed."""
    row = s.get(StoreMeta, META_DOCUMENT_KEY)
    if row is None:
        row = StoreMeta(key=META_DOCUMENT_KEY, value=secrets.token_bytes(32))
        s.add(row)
        s.flush()
    return row.value


def canonical(content: dict[str, object]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def verification_code(key: bytes, content: dict[str, object]) -> str:
    """Eight characters (40 bits) of HMAC-SHA256 over the canonical content,
    in Crockford base 32, as two groups: "7K2M-Q9XD"."""
    digest = hmac.new(key, canonical(content), hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")
    chars = "".join(_CODE_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(code: str) -> str:
    """A code as typed back: case, spaces and dashes do not matter, and the
    letters I/L and O read as 1 and 0 (Crockford's rule)."""
    raw = "".join(code.split()).replace("-", "").upper().translate(str.maketrans("ILO", "110"))
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def genuine(s: Session, content: str, stored_code: str, typed_code: str) -> bool:
    """Whether a stored document still gives its stored code (nobody edited
    the record) and the paper carries that code."""
    expected = verification_code(document_key(s), json.loads(content))
    return hmac.compare_digest(expected, stored_code) and hmac.compare_digest(typed_code.encode(), stored_code.encode())


def genuine_plan_version(s: Session, reference: str, typed_code: str) -> PlanVersion | None:
    """The care plan version with this reference, if it is genuine (see ``genuine``)."""
    row = s.execute(select(PlanVersion).where(func.upper(PlanVersion.reference) == reference)).scalar_one_or_none()
    return row if row is not None and genuine(s, row.content, row.code, typed_code) else None


def genuine_reintegration_document(s: Session, reference: str, typed_code: str) -> ReintegrationDocument | None:
    """The reintegration plan document with this reference, if it is genuine (see ``genuine``)."""
    row = s.execute(select(ReintegrationDocument).where(func.upper(ReintegrationDocument.reference) == reference)
                    ).scalar_one_or_none()
    return row if row is not None and genuine(s, row.content, row.code, typed_code) else None
