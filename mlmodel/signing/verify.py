"""Verify a model directory against its signature: who signed it, and that no file differs.

Three steps, each failing with its own :class:`~mlmodel.signing.errors.SignatureError`
reason: read the signature (``missing-signature``, ``malformed-signature``); check it with
model-signing against each public key or the certificate chains in turn (``wrong-key``
when none of them signed it; ``malformed-signature`` when one did but the signed content
was altered afterwards: the signature then matches the key's hint but not the payload);
hash every file of the directory and compare with the signed list (``changed``,
``added``, ``removed``, ``renamed``: the message names the files). Files are hashed once,
in 1 MiB chunks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from mlmodel.core.errors import UsageError
from mlmodel.signing.bundle import (
    MAX_SIGNATURE_BYTES,
    MalformedSignatureError,
    SignedPayload,
    parse_bundle,
)
from mlmodel.signing.diff import compare
from mlmodel.signing.digests import DEFAULT_SIGNATURE, hash_directory
from mlmodel.signing.errors import SignatureError


@dataclass(frozen=True)
class SignedManifest:
    """A verified signature: the ``signature`` file, the ``key`` (public key or certificate
    chain file) it verified with, and ``digests``: every covered file's POSIX path relative
    to the model directory -> its hex digest (read-only), computed with ``algorithm``
    (``sha256``; ``blake2``, BLAKE2b, for signatures made with model-signing's option)."""

    signature: Path
    key: Path
    digests: Mapping[str, str]
    algorithm: str = "sha256"


def read_signature(model_dir: Path, signature_name: str = DEFAULT_SIGNATURE) -> SignedPayload:
    """The unverified file list of ``model_dir``'s signature; SignatureError when it is
    missing or cannot be read as a model-signing signature."""
    from mlmodel.core.fsio import read_regular_bytes

    signature = model_dir / signature_name
    try:
        data = read_regular_bytes(signature, max_bytes=MAX_SIGNATURE_BYTES)
    except FileNotFoundError:
        raise SignatureError(
            f"{model_dir}: not signed (no {signature_name})",
            reason="missing-signature",
            signature=str(signature),
        ) from None
    except OSError as exc:
        raise _malformed(signature, exc.strerror or str(exc)) from None
    try:
        return parse_bundle(data)
    except MalformedSignatureError as exc:
        raise _malformed(signature, str(exc)) from None


def _malformed(signature: Path, detail: str) -> SignatureError:
    return SignatureError(
        f"{signature}: not a usable model signature: {detail}",
        reason="malformed-signature",
        signature=str(signature),
    )


def _check_inputs(
    model_dir: Path, public_keys: Sequence[Path], certificate_chains: Sequence[Path]
) -> None:
    if not public_keys and not certificate_chains:
        raise UsageError("give a public key or a certificate chain to verify the signature with")
    if not model_dir.is_dir():
        raise UsageError(f"{model_dir}: no such model directory")
    for path in (*public_keys, *certificate_chains):
        if not path.is_file():
            raise UsageError(f"{path}: no such key or certificate file")


def _precheck(payload: SignedPayload, key: Path, is_chain: bool) -> str | None:
    """Why the key cannot have made the signature, before running the verifier."""
    from mlmodel.signing.backend import key_hint

    if is_chain:
        return None if payload.certificates else "signed with a key, not a certificate"
    if payload.key_hint is None:
        return "signed with a certificate, not a key" if payload.certificates else None
    return None if payload.key_hint == key_hint(key) else "signed with another key"


def verify_model(
    model_dir: Path,
    *,
    public_keys: Sequence[Path] = (),
    certificate_chains: Sequence[Path] = (),
    signature_name: str = DEFAULT_SIGNATURE,
) -> SignedManifest:
    """Verify ``model_dir`` against its signature (``<model_dir>/model.sig``) with each of
    ``public_keys`` (EC PEM) in turn, then with ``certificate_chains`` (PEM certificates
    trusted to have issued the signer's certificate); return the verified
    :class:`SignedManifest`. Raises :class:`SignatureError` (see the module docstring), and
    :class:`~mlmodel.core.errors.UsageError` when no key is given, a key file or the directory is
    missing, or model-signing is not installed (``pip install "mlmodel[sign]"``)."""
    from mlmodel.signing import backend

    model_dir = Path(model_dir)
    keys = [Path(k) for k in public_keys]
    chains = [Path(c) for c in certificate_chains]
    _check_inputs(model_dir, keys, chains)
    candidates = backend.verifiers(keys, chains)  # usage errors before the signature's
    signature = model_dir / signature_name
    payload = read_signature(model_dir, signature_name)
    refusals: list[str] = []
    altered: list[str] = []
    verified: tuple[Path, dict[str, tuple[str, str]]] | None = None
    for key, verifier in candidates:
        is_chain = key in chains and key not in keys
        why = _precheck(payload, key, is_chain)
        if why is not None:
            refusals.append(f"{key}: {why}")
            continue
        result = backend.verify_with(verifier, signature)
        if result.outcome == "verified":
            verified = (key, result.digests)
            break
        (altered if result.outcome == "altered" else refusals).append(f"{key}: {result.detail}")
    if verified is None:
        if altered:
            raise SignatureError(
                f"{signature}: altered after signing ({'; '.join(altered)})",
                reason="malformed-signature",
                signature=str(signature),
            )
        raise SignatureError(
            f"{signature}: not signed by the given key(s) ({'; '.join(refusals)})",
            reason="wrong-key",
            signature=str(signature),
        )
    key, signed = verified
    digests = {path: digest for path, (_, digest) in signed.items()}
    if digests != dict(payload.digests):
        raise _malformed(signature, "it changed while it was being verified")
    found = hash_directory(
        model_dir,
        algorithm=payload.algorithm,
        exclude=(signature_name,),
        allow_symlinks=payload.allow_symlinks,
    )
    differences = compare(digests, found.digests, found.irregular)
    if differences:
        raise SignatureError(
            f"{model_dir}: the files differ from the signature: {differences.describe()}",
            reason=differences.reason,
            signature=str(signature),
            files=differences.files,
            differences=differences.by_kind(),
        )
    return SignedManifest(signature, key, MappingProxyType(digests), payload.algorithm)


__all__ = ["SignedManifest", "read_signature", "verify_model"]
