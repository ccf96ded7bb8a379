"""Loading the model would run Python from its own directory: loaders need trust.

Besides pickles, a model can bring Python that runs when it is loaded: a ``code`` folder
holding files (put first on the import path, where it can shadow scikit-learn or numpy), a
``loader_module`` that is not one of MLflow's (importing a module runs it), a model from
code (``model_code_path``, ``mlflow.pyfunc.loaders.code_model``) or a ``python_model``
script. mlmodel's loaders refuse such a model unless the loader trusts it (a signature that
verifies against a trusted key, or ``--allow-unsafe``): ``trusted_types`` grants no code.
The reasons are :func:`mlmodel.runtime.load.trust.code_reasons`'s, read from the document and the
folder listing; nothing is imported or run.

The same holds for ``code: code`` in a flavor whose ``code/`` folder holds files (MLflow's
``code_paths``).

Fails::

    flavors:
      python_function:
        loader_module: mlflow.pyfunc.loaders.code_model
        model_code_path: agent.py

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.model import Finding, LintContext

CODE = "MLM507"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.runtime.load.trust import code_sources

    # the process lint runs in is not the loader's: its sys.path is not judged
    for key, reason in code_sources(ctx.model_dir, ctx.data, import_path=False):
        yield Finding(
            key,
            f"loading this model runs Python from its directory: {reason}; mlmodel loads it "
            "only when the loader trusts the model (a signature with --trusted-key / "
            "trusted_keys, or --allow-unsafe)",
            hint="review that code; sign the model (mlmodel sign) so that loaders can trust it",
        )
