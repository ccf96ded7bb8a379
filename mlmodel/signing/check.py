"""A model directory's signature checked against its files, without a key: what ``validate``
and ``lint`` report (MLM504 a mismatch or an unreadable signature, MLM505 no signature where
one is required, MLM506 not checked). Reads the file list from ``model.sig`` and hashes the
files in chunks, bounded like the pickle scan; nothing is unpickled or imported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mlmodel.signing.diff import Differences
from mlmodel.signing.names import DEFAULT_SIGNATURE

SIGNATURE_NAME: Final = DEFAULT_SIGNATURE


@dataclass(frozen=True)
class SignatureCheck:
    """What checking ``model.sig`` against the files found: ``unreadable`` (why the bundle
    cannot be read), ``differences``, or ``stopped`` (the bound that kept the files from
    being hashed). All None/empty: no signature, or it covers the files as they are.
    ``signed``: the directory holds a signature file."""

    signed: bool = False
    unreadable: str | None = None
    differences: Differences | None = None
    stopped: str | None = None


@dataclass(frozen=True)
class SignatureFinding:
    code: str
    message: str
    hint: str


def check_directory(model_dir: Path, *, max_bytes: int, max_seconds: float) -> SignatureCheck:
    """Check ``model_dir``'s signature file (if any) against its files, hashing at most
    ``max_bytes`` for at most ``max_seconds`` (the pickle scan's budget)."""
    if not (model_dir / SIGNATURE_NAME).exists() and not (model_dir / SIGNATURE_NAME).is_symlink():
        return SignatureCheck()
    from mlmodel.signing.diff import compare
    from mlmodel.signing.digests import hash_directory
    from mlmodel.signing.errors import SignatureError
    from mlmodel.signing.verify import read_signature

    try:
        payload = read_signature(model_dir, SIGNATURE_NAME)
    except SignatureError as exc:
        return SignatureCheck(signed=True, unreadable=str(exc).split(": ", 2)[-1])
    try:
        found = hash_directory(
            model_dir,
            algorithm=payload.algorithm,
            exclude=(SIGNATURE_NAME,),
            allow_symlinks=payload.allow_symlinks,
            max_bytes=max_bytes,
            max_seconds=max_seconds,
        )
    except OSError as exc:  # a folder or file that cannot be read
        return SignatureCheck(
            signed=True, stopped=f"{exc.filename or model_dir}: {exc.strerror or exc}"
        )
    if found.stopped is not None:
        return SignatureCheck(signed=True, stopped=found.stopped)
    return SignatureCheck(
        signed=True, differences=compare(payload.digests, found.digests, found.irregular)
    )


def mismatch(result: SignatureCheck) -> SignatureFinding | None:
    """MLM504: the signature cannot be read, or the files differ from what it signed."""
    if result.unreadable is not None:
        return SignatureFinding(
            "MLM504",
            f"{SIGNATURE_NAME} is not a model signature that can be read: {result.unreadable}",
            "sign the model again (mlmodel sign); do not trust it until then",
        )
    if result.differences:
        return SignatureFinding(
            "MLM504",
            f"the files differ from what {SIGNATURE_NAME} signed: {result.differences.describe()}",
            "if the change is yours, sign the model again (mlmodel sign); otherwise do not load it",
        )
    return None


def unsigned(model_dir: Path, require_signature: bool) -> SignatureFinding | None:
    """MLM505: no signature, where the configuration requires one."""
    signature = model_dir / SIGNATURE_NAME
    if not require_signature or signature.exists() or signature.is_symlink():
        return None
    return SignatureFinding(
        "MLM505",
        f"the model is not signed (no {SIGNATURE_NAME}), and the configuration requires "
        "signatures (trust.require-signature)",
        "sign it: mlmodel sign MODEL --key PRIVATE.pem",
    )


def unchecked(result: SignatureCheck) -> SignatureFinding | None:
    """MLM506: the signature was not checked (too large, or unreadable folders)."""
    if result.stopped is None:
        return None
    return SignatureFinding(
        "MLM506",
        f"{SIGNATURE_NAME} was not checked against the files: {result.stopped}",
        "check it with mlmodel verify MODEL --key PUBLIC.pem",
    )


def signature_findings(
    model_dir: Path, *, require_signature: bool, max_bytes: int, max_seconds: float
) -> list[SignatureFinding]:
    """Everything :func:`mismatch`, :func:`unsigned` and :func:`unchecked` find."""
    result = check_directory(model_dir, max_bytes=max_bytes, max_seconds=max_seconds)
    found = [mismatch(result), unsigned(model_dir, require_signature), unchecked(result)]
    return [f for f in found if f is not None]
