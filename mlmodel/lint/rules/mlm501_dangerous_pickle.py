"""A pickle in the model whose opcodes import callables that can run code.

Loading a pickle runs whatever its opcodes import and call: ``os.system``,
``subprocess.Popen``, ``builtins.eval``... Every pickle the document references
(and every pickle inside a referenced folder) is scanned statically by
:mod:`mlmodel.pickle_scan`: nothing is ever unpickled. Real scikit-learn,
cloudpickle and torch pickles import numpy, sklearn and the like, never these.

Fails: ``pickled_model: model.pkl`` where model.pkl's opcodes import ``os.system``.

Passes: a model.pkl written by ``pickle.dump`` of a fitted estimator.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.lint.model import Finding, LintContext

CODE = "MLM501"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.modeldir import pickle_files, relative_posix
    from mlmodel.pickle_scan import scan_pickle

    for path, file in pickle_files(ctx.model_dir, ctx.data):
        assert path is not None  # referenced pickles only
        scan = scan_pickle(file)
        if not scan.dangerous:
            continue
        shown = relative_posix(ctx.model_dir, file)
        calls = ", ".join(sorted({d.qualname for d in scan.dangerous}))
        yield Finding(
            path,
            f"{shown} imports {calls} when unpickled: loading this model can run arbitrary code",
            hint=scan.dangerous[0].reason + "; do not load it; re-save the model from a trusted "
            "source",
        )
