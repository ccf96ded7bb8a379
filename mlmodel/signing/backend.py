"""The one module that touches model-signing (the ``sign`` extra, pinned to 1.1.1).

Signing hashes the directory with model-signing's public hashing API and signs with its
key or certificate signer; verification runs its key or certificate verifier on the
bundle. Those signers and verifiers are what ``model_signing.signing.Config`` and
``model_signing.verifying.Config`` wrap; they are used directly here because the public
wrappers name the model after the folder being hashed (a staging folder when
``save_model`` signs) and fold "wrong key" and "files changed" into one ``ValueError``.
model-signing is imported on first use only.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from mlmodel.core.errors import UsageError
from mlmodel.signing.errors import SigningUnavailableError


@dataclass(frozen=True)
class _Modules:
    hashing: ModuleType
    manifest: ModuleType
    payload: ModuleType
    bundle: ModuleType
    ec_key: ModuleType
    certificate: ModuleType


def _modules(what: str) -> _Modules:
    try:
        from model_signing import hashing, manifest
        from model_signing._signing import sign_certificate, sign_ec_key, sign_sigstore_pb
        from model_signing._signing import signing as payload
    except ImportError as exc:
        raise SigningUnavailableError(what) from exc
    return _Modules(hashing, manifest, payload, sign_sigstore_pb, sign_ec_key, sign_certificate)


def _usage(path: Path, what: str, exc: BaseException) -> UsageError:
    return UsageError(f"{path}: {what}: {exc}")


def signature_bytes(
    model_dir: Path,
    private_key: Path,
    *,
    password: bytes | None,
    signature_name: str,
    model_name: str,
    certificate: Path | None = None,
    certificate_chain: Sequence[Path] = (),
) -> tuple[bytes, int]:
    """The signature of ``model_dir`` (every file but ``signature_name`` and git's files) as
    JSON bytes, and how many files it covers; the subject is named ``model_name``."""
    ms = _modules("mlmodel sign")
    signer = _signer(ms, private_key, password, certificate, certificate_chain)
    config = ms.hashing.Config().set_ignored_paths(paths=[signature_name])
    try:
        hashed = config.hash(model_dir)
    except ValueError as exc:  # a symlink, a FIFO...
        raise _usage(model_dir, "cannot sign", exc) from None
    kind = ms.manifest.SerializationType.from_args(hashed.serialization_type)
    items = [kind.new_item(d.identifier, d.digest) for d in hashed.resource_descriptors()]
    named = ms.manifest.Manifest(model_name, items, kind)
    signature = signer.sign(ms.payload.Payload(named))
    return signature.bundle.to_json().encode("utf-8"), len(items)


def _signer(
    ms: _Modules,
    private_key: Path,
    password: bytes | None,
    certificate: Path | None,
    chain: Sequence[Path],
) -> Any:
    try:
        if certificate is None:
            return ms.ec_key.Signer(private_key, password)
        if password is not None:
            raise UsageError(
                "model-signing 1.1.1 signs with a certificate only with an unencrypted key"
            )
        return ms.certificate.Signer(private_key, certificate, chain)
    except (ValueError, TypeError) as exc:  # not PEM, wrong password, not EC, cert mismatch
        raise _usage(private_key, "cannot sign with this key", exc) from None


def key_hint(public_key: Path) -> str:
    """The SHA-256 of a public key's PEM, as model-signing records it in a bundle."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_public_key(public_key.read_bytes())
    except ValueError as exc:
        raise _usage(public_key, "not a PEM public key", exc) from None
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


Outcome = Literal["verified", "other-signer", "altered"]


@dataclass(frozen=True)
class Verification:
    """How one verifier judged the signature: ``verified`` (then ``digests`` holds the signed
    file list: path -> (algorithm, hex digest)), ``other-signer`` (not this key's or this
    chain's signature), ``altered`` (this signer's signature, but it does not match the
    signed content: the payload or the signature value was changed)."""

    outcome: Outcome
    detail: str
    digests: dict[str, tuple[str, str]]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """model-signing prints a warning on stdout for old bundles: keep stdout ours."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def verifiers(
    public_keys: Sequence[Path], certificate_chains: Sequence[Path]
) -> list[tuple[Path, Any]]:
    """(key or chain file, model-signing verifier): one per key, one for all the chains;
    raises UsageError for a key or chain that cannot be read."""
    ms = _modules("mlmodel verify")
    found: list[tuple[Path, Any]] = []
    for key in public_keys:
        try:
            found.append((key, ms.ec_key.Verifier(key)))
        except (ValueError, TypeError) as exc:
            raise _usage(key, "not an elliptic-curve PEM public key", exc) from None
    if certificate_chains:
        try:
            verifier = ms.certificate.Verifier(list(certificate_chains))
        except (ValueError, TypeError) as exc:
            raise _usage(certificate_chains[0], "not a PEM certificate chain", exc) from None
        found.append((certificate_chains[0], verifier))
    return found


def verify_with(verifier: Any, signature: Path) -> Verification:
    """Run one model-signing verifier on the signature file."""
    from cryptography.exceptions import InvalidSignature

    ms = _modules("mlmodel verify")
    try:
        bundle = ms.bundle.Signature.read(signature)
    except Exception as exc:  # noqa: BLE001 - any parse failure: the bundle is malformed
        return Verification("altered", f"model-signing cannot read it: {exc}", {})
    try:
        with _quiet():
            manifest = verifier.verify(bundle)
    except InvalidSignature:
        return Verification("altered", "the signature value does not match the signed content", {})
    except ValueError as exc:
        text = str(exc)
        if "Key mismatch" in text:
            return Verification("other-signer", "signed with another key", {})
        if "Manifest is inconsistent" in text:
            return Verification("altered", "the signed file list was altered", {})
        return Verification("altered", text, {})
    except AttributeError:  # a key verifier on a certificate bundle, or the reverse
        return Verification("other-signer", "signed with another kind of key material", {})
    except Exception as exc:  # noqa: BLE001 - OpenSSL's chain errors have no common base
        if type(exc).__name__ == "X509StoreContextError":
            return Verification(
                "other-signer", f"the certificate is not trusted by the chain: {exc}", {}
            )
        return Verification("altered", f"{type(exc).__name__}: {exc}", {})
    digests = {
        d.identifier: (d.digest.algorithm, d.digest.digest_hex)
        for d in manifest.resource_descriptors()
    }
    return Verification("verified", "", digests)


__all__ = ["Verification", "key_hint", "signature_bytes", "verifiers", "verify_with"]
