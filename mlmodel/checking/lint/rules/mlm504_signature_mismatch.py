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

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.signing.check import SIGNATURE_NAME, SignatureCheck, check_directory, mismatch

CODE = "MLM504"

_CACHE_KEY = "signature_check"

__all__ = ["CODE", "SIGNATURE_NAME", "check", "signature_check"]


def signature_check(ctx: LintContext) -> SignatureCheck:
    """Check the model's signature once per lint run (no key: the file list only)."""
    cached = ctx.cache.get(_CACHE_KEY)
    if isinstance(cached, SignatureCheck):
        return cached
    from mlmodel.pickle_scan import ScanBudget

    budget = ScanBudget()
    result = (
        check_directory(ctx.model_dir, max_bytes=budget.max_bytes, max_seconds=budget.max_seconds)
        if ctx.check_files and ctx.model_dir is not None
        else SignatureCheck()
    )
    ctx.cache[_CACHE_KEY] = result
    return result


def check(ctx: LintContext) -> Iterator[Finding]:
    found = mismatch(signature_check(ctx))
    if found is not None:
        yield Finding((), found.message, hint=found.hint)
