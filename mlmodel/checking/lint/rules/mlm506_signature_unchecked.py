"""The model's ``model.sig`` was not checked against its files: the model is too large.

MLM504 hashes every file of a signed model; a directory whose files add up to more than
the scan bound (4 GiB, as for the pickle scan), or that takes longer than its time bound
(120 s), is not hashed to the end, and this warning says the signature was not checked
(as it does when a folder or file of the model cannot be read).
``mlmodel verify MODEL --key KEY.pem`` checks a model of any size.

Fails: a signed model directory holding 5 GB of weights.

Passes: a signed model of a few megabytes (MLM504 checks it).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.checking.lint.rules.mlm504_signature_mismatch import signature_check
from mlmodel.signing.check import unchecked

CODE = "MLM506"


def check(ctx: LintContext) -> Iterator[Finding]:
    found = unchecked(signature_check(ctx))
    if found is not None:
        yield Finding((), found.message, hint=found.hint)
