"""Sign a model directory: a model-signing signature over every file, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from mlmodel.core.errors import UsageError
from mlmodel.signing.digests import DEFAULT_SIGNATURE


def _check_name(signature_name: str) -> None:
    pure = PurePosixPath(signature_name)
    if len(pure.parts) != 1 or signature_name in (".", "..", "MLmodel") or "\\" in signature_name:
        raise UsageError(f"signature name {signature_name!r} must be a file name (not MLmodel)")


def sign_model(
    model_dir: Path,
    private_key: Path,
    *,
    password: bytes | None = None,
    signature_name: str = DEFAULT_SIGNATURE,
    certificate: Path | None = None,
    certificate_chain: Sequence[Path] = (),
    model_name: str | None = None,
) -> Path:
    """Sign every file of ``model_dir`` (but the signature itself and git's own files) with
    the elliptic-curve PEM ``private_key`` (``password`` when it is encrypted) and write the
    signature (a Sigstore bundle, as ``model_signing sign`` writes) to
    ``<model_dir>/<signature_name>`` atomically; returns its path. With ``certificate``
    and ``certificate_chain`` (the CA certificates above it, up to the root; required) the
    bundle carries the certificates instead of the key's hint. ``model_name`` names the model in the signature (default: the
    directory's name; it is informative only). Raises
    :class:`~mlmodel.core.errors.UsageError` for a missing directory or key, an unusable key, a
    symlink or special file in the directory, or a missing ``pip install "mlmodel[sign]"``."""
    from mlmodel.core.fsio import write_file
    from mlmodel.signing.backend import signature_bytes

    model_dir = Path(model_dir)
    _check_name(signature_name)
    if not model_dir.is_dir():
        raise UsageError(f"{model_dir}: no such model directory")
    for path in (Path(private_key), *(() if certificate is None else (Path(certificate),))):
        if not path.is_file():
            raise UsageError(f"{path}: no such key or certificate file")
    if certificate_chain and certificate is None:
        raise UsageError("a certificate chain needs the signing certificate too")
    if certificate is not None and not certificate_chain:
        raise UsageError(
            "a certificate needs its chain too: the CA certificates above it, up to the root "
            "(model-signing 1.1.1 writes no bundle without one)"
        )
    target = model_dir / signature_name
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UsageError(f"{target}: exists and is not a regular file; not signed")
    data, _count = signature_bytes(
        model_dir,
        Path(private_key),
        password=password,
        signature_name=signature_name,
        model_name=model_name or model_dir.resolve().name,
        certificate=None if certificate is None else Path(certificate),
        certificate_chain=[Path(c) for c in certificate_chain],
    )
    write_file(target, data)
    return target


__all__ = ["sign_model"]
