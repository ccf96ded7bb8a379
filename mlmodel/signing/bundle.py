"""Read a model-signing signature (a Sigstore bundle) without verifying it: the file list.

The signature is JSON: a Sigstore bundle whose DSSE envelope carries, base64-encoded, an
in-toto statement. Its predicate lists every signed file as ``{"name", "algorithm",
"digest"}`` and says how the directory was serialised (``method: files``, the hash, whether
symlinks were followed, the paths left out); its one subject digests the list (SHA-256 over
the file digests, in order). Only the standard library is used: validate and lint read
this without model-signing, and nothing here proves who signed it (see
:mod:`mlmodel.signing.verify`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from mlmodel.core.errors import MLModelError

BUNDLE_MEDIA_TYPES: Final = (
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
)
PAYLOAD_TYPE: Final = "application/vnd.in-toto+json"
STATEMENT_TYPE: Final = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE: Final = "https://model_signing/signature/v1.0"
#: the hash names model-signing writes, and hashlib's names for them
HASHES: Final = {"sha256": "sha256", "blake2": "blake2b"}
#: a signature lists one line per file: far below this even for huge models
MAX_SIGNATURE_BYTES: Final = 64 * 1024 * 1024


class MalformedSignatureError(MLModelError, ValueError):
    """The file is not a model-signing signature this reader understands."""


@dataclass(frozen=True)
class SignedPayload:
    """What a signature says about the model, unverified.

    ``digests``: POSIX path relative to the model directory -> hex digest, with the
    ``algorithm`` (``sha256``); ``ignore_paths``: the paths the signer left out (relative);
    ``allow_symlinks``: whether the signer followed symlinks; ``key_hint``: the SHA-256 of
    the signer's public key (PEM), when signed with a key; ``certificates``: the DER
    certificates of the signer's chain, when signed with a certificate.
    """

    model_name: str
    algorithm: str
    digests: Mapping[str, str]
    ignore_paths: tuple[str, ...]
    allow_symlinks: bool
    key_hint: str | None
    certificates: int


def _get(mapping: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedSignatureError(f"no {where}")
    value = mapping[key]
    if not isinstance(value, kind):
        raise MalformedSignatureError(f"{where} is not a {getattr(kind, '__name__', kind)}")
    return value


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedSignatureError(f"{where} is not base64") from None


def parse_bundle(data: bytes) -> SignedPayload:
    """The signed file list of a model-signing signature; raises
    :class:`MalformedSignatureError` saying what is wrong (truncated JSON, another kind of
    bundle, a file list whose summary digest does not match it, ...)."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise MalformedSignatureError(f"larger than {MAX_SIGNATURE_BYTES} bytes")
    try:
        bundle = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedSignatureError(f"not JSON ({exc})") from None
    media = _get(bundle, "mediaType", str, "mediaType")
    if media not in BUNDLE_MEDIA_TYPES:
        raise MalformedSignatureError(f"not a Sigstore bundle v0.3 (mediaType {media!r})")
    material = _get(bundle, "verificationMaterial", dict, "verificationMaterial")
    envelope = _get(bundle, "dsseEnvelope", dict, "dsseEnvelope")
    if _get(envelope, "payloadType", str, "payloadType") != PAYLOAD_TYPE:
        raise MalformedSignatureError(f"the payload is not an in-toto statement ({PAYLOAD_TYPE})")
    signatures = _get(envelope, "signatures", list, "signatures")
    if not signatures:
        raise MalformedSignatureError("the envelope holds no signature")
    _b64(_get(signatures[0], "sig", str, "signature value"), "the signature value")
    payload = _b64(_get(envelope, "payload", str, "payload"), "the payload")
    try:
        statement = json.loads(payload)
    except (ValueError, RecursionError):
        raise MalformedSignatureError("the payload is not JSON") from None
    if _get(statement, "_type", str, "statement _type") != STATEMENT_TYPE:
        raise MalformedSignatureError(f"the payload is not an in-toto {STATEMENT_TYPE}")
    predicate_type = _get(statement, "predicateType", str, "predicateType")
    if predicate_type != PREDICATE_TYPE:
        raise MalformedSignatureError(
            f"predicate {predicate_type!r}, not {PREDICATE_TYPE} (model-signing 1.x)"
        )
    subjects = _get(statement, "subject", list, "subject")
    if len(subjects) != 1:
        raise MalformedSignatureError(f"{len(subjects)} subjects, not one")
    name = _get(subjects[0], "name", str, "subject name")
    summary = _get(_get(subjects[0], "digest", dict, "subject digest"), "sha256", str, "sha256")
    predicate = _get(statement, "predicate", dict, "predicate")
    serialization = _get(predicate, "serialization", dict, "serialization")
    method = _get(serialization, "method", str, "serialization method")
    hash_type = _get(serialization, "hash_type", str, "hash_type")
    if method != "files" or hash_type not in HASHES:
        raise MalformedSignatureError(
            f"serialised by {method!r} with {hash_type!r}; mlmodel reads per-file digests "
            f"(method 'files', hash {' or '.join(HASHES)})"
        )
    allow_symlinks = _get(serialization, "allow_symlinks", bool, "allow_symlinks")
    ignore = serialization.get("ignore_paths", [])
    if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
        raise MalformedSignatureError("ignore_paths is not a list of paths")
    digests: dict[str, str] = {}
    summary_hash = hashlib.sha256()
    for resource in _get(predicate, "resources", list, "resources"):
        path = _get(resource, "name", str, "resource name")
        if _get(resource, "algorithm", str, "resource algorithm") != hash_type:
            raise MalformedSignatureError(f"{path}: hashed with another algorithm")
        digest = _get(resource, "digest", str, "resource digest").lower()
        try:
            summary_hash.update(bytes.fromhex(digest))
        except ValueError:
            raise MalformedSignatureError(f"{path}: the digest is not hex") from None
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or str(pure) != path or path in digests:
            raise MalformedSignatureError(f"resource name {path!r} is not a relative file path")
        digests[path] = digest
    if summary_hash.hexdigest() != summary.lower():
        raise MalformedSignatureError(
            "the file list does not match its summary digest (the payload was altered)"
        )
    key = material.get("publicKey")
    hint = key.get("hint") if isinstance(key, dict) else None
    chain = material.get("x509CertificateChain")
    certificates = chain.get("certificates") if isinstance(chain, dict) else None
    return SignedPayload(
        model_name=name,
        algorithm=hash_type,
        digests=digests,
        ignore_paths=tuple(ignore),
        allow_symlinks=allow_symlinks,
        key_hint=hint if isinstance(hint, str) else None,
        certificates=len(certificates) if isinstance(certificates, list) else 0,
    )


__all__ = ["MAX_SIGNATURE_BYTES", "MalformedSignatureError", "SignedPayload", "parse_bundle"]
