"""The model's ``model.sig`` does not vouch for its files as they are.

A model signed with OpenSSF model signing (``mlmodel sign``, ``model_signing sign``)
carries ``model.sig``: a Sigstore bundle listing every file with its SHA-256. A file
changed, added, removed or renamed since (a swapped pickle, an extra ``.pth`` next to the
model), or a signature file that is not a readable model signature (truncated, edited),
means the signature no longer covers what would be loaded. This check needs no key: it
reads the file list from the bundle and hashes the files, in chunks; nothing is opened
other than as bytes, nothing is unpickled. It does not say who signed the model
(``mlmodel verify --key`` does). A directory larger than the scan bound is not hashed
(MLM506 says so).

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl

Fails, ``model.sig``::

    {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mlmodel.lint.model import Finding, LintContext
from mlmodel.signing.diff import Differences

CODE = "MLM504"

SIGNATURE_NAME = "model.sig"
_CACHE_KEY = "signature_check"


@dataclass(frozen=True)
class SignatureCheck:
    """What checking ``model.sig`` against the files found: ``unreadable`` (why the bundle
    cannot be read), ``differences``, or ``stopped`` (the bound that kept the files from
    being hashed). All None/empty: no signature, or it covers the files as they are."""

    unreadable: str | None = None
    differences: Differences | None = None
    stopped: str | None = None


def signature_check(ctx: LintContext) -> SignatureCheck:
    """Check the model's signature once per lint run (no key: the file list only)."""
    cached = ctx.cache.get(_CACHE_KEY)
    if isinstance(cached, SignatureCheck):
        return cached
    result = _check(ctx)
    ctx.cache[_CACHE_KEY] = result
    return result


def _check(ctx: LintContext) -> SignatureCheck:
    if not ctx.check_files or ctx.model_dir is None:
        return SignatureCheck()
    model_dir = ctx.model_dir
    if not (model_dir / SIGNATURE_NAME).exists() and not (model_dir / SIGNATURE_NAME).is_symlink():
        return SignatureCheck()
    from mlmodel.pickle_scan import ScanBudget
    from mlmodel.signing.diff import compare
    from mlmodel.signing.digests import hash_directory
    from mlmodel.signing.errors import SignatureError
    from mlmodel.signing.verify import read_signature

    try:
        payload = read_signature(model_dir, SIGNATURE_NAME)
    except SignatureError as exc:
        return SignatureCheck(unreadable=str(exc).split(": ", 2)[-1])
    budget = ScanBudget()
    try:
        found = hash_directory(
            model_dir,
            algorithm=payload.algorithm,
            exclude=(SIGNATURE_NAME,),
            allow_symlinks=payload.allow_symlinks,
            max_bytes=budget.max_bytes,
            max_seconds=budget.max_seconds,
        )
    except OSError as exc:  # a folder or file that cannot be read
        return SignatureCheck(stopped=f"{exc.filename or model_dir}: {exc.strerror or exc}")
    if found.stopped is not None:
        return SignatureCheck(stopped=found.stopped)
    return SignatureCheck(differences=compare(payload.digests, found.digests, found.irregular))


def check(ctx: LintContext) -> Iterator[Finding]:
    result = signature_check(ctx)
    if result.unreadable is not None:
        yield Finding(
            (),
            f"{SIGNATURE_NAME} is not a model signature that can be read: {result.unreadable}",
            hint="sign the model again (mlmodel sign); do not trust it until then",
        )
    elif result.differences:
        yield Finding(
            (),
            f"the files differ from what {SIGNATURE_NAME} signed: {result.differences.describe()}",
            hint="if the change is yours, sign the model again (mlmodel sign); otherwise do not "
            "load it",
        )
