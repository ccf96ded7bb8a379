"""Trust by signature: sign and verify model directories with OpenSSF model signing.

The signature is model-signing's detached ``model.sig`` (a Sigstore bundle over an in-toto
statement listing every file's SHA-256), readable and verifiable by the ``model_signing``
CLI. :func:`sign_model` and :func:`verify_model` need the ``sign`` extra
(``pip install "mlmodel[sign]"``), imported on first use; :func:`file_digests` and
:func:`read_signature` (the unverified file list, for validate and lint) do not.

Modules: ``bundle`` (read a signature), ``digests`` (hash a directory), ``diff`` (what
differs), ``backend`` (the only user of model-signing), ``sign``, ``verify``, ``errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmodel.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from mlmodel.signing.digests import file_digest, file_digests
    from mlmodel.signing.errors import REASONS, SignatureError, SigningUnavailableError
    from mlmodel.signing.sign import sign_model
    from mlmodel.signing.verify import SignedManifest, read_signature, verify_model

_EXPORTS = {
    "REASONS": "mlmodel.signing.errors",
    "SignatureError": "mlmodel.signing.errors",
    "SigningUnavailableError": "mlmodel.signing.errors",
    "SignedManifest": "mlmodel.signing.verify",
    "file_digest": "mlmodel.signing.digests",
    "file_digests": "mlmodel.signing.digests",
    "read_signature": "mlmodel.signing.verify",
    "sign_model": "mlmodel.signing.sign",
    "verify_model": "mlmodel.signing.verify",
}
__getattr__ = lazy_getattr(__name__, globals(), _EXPORTS)

__all__ = [
    "REASONS",
    "SignatureError",
    "SignedManifest",
    "SigningUnavailableError",
    "file_digest",
    "file_digests",
    "read_signature",
    "sign_model",
    "verify_model",
]
