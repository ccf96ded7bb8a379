"""Models of the serving tests only (PythonModels of ``tests/pyfunc_models.py`` and
``tests/serve_models.py``) saved by MLflow; the servers and the classifier they share with
``bench/bench_serve.py`` are in :mod:`harness.servers`. Importing this module has no side
effects.
"""

from __future__ import annotations

from pathlib import Path


def save_echo(path: Path) -> Path:
    """A PythonModel returning a DataFrame (its input plus params), with a params schema."""
    import mlflow.pyfunc
    import pandas as pd
    from mlflow.models import infer_signature

    from tests.pyfunc_models import EchoModel

    example = pd.DataFrame({"x": [1.0, 2.0], "s": ["u", "v"]})
    mlflow.pyfunc.save_model(
        str(path),
        python_model=EchoModel(),
        signature=infer_signature(example, example, params={"k": 1}),
    )
    return path


def save_slow(path: Path) -> Path:
    import mlflow.pyfunc
    import pandas as pd
    from mlflow.models import infer_signature

    from tests.serve_models import SlowModel

    example = pd.DataFrame({"x": [1.0], "delay": [0.0]})
    mlflow.pyfunc.save_model(
        str(path), python_model=SlowModel(), signature=infer_signature(example)
    )
    return path


def save_stalling(path: Path) -> Path:
    """:class:`tests.serve_models.StallingModel` on columns ``x``, ``delay`` and ``spin``."""
    import mlflow.pyfunc
    import pandas as pd
    from mlflow.models import infer_signature

    from tests.serve_models import StallingModel

    example = pd.DataFrame({"x": [1.0], "delay": [0.0], "spin": [0]})
    mlflow.pyfunc.save_model(
        str(path), python_model=StallingModel(), signature=infer_signature(example)
    )
    return path


def save_scale(path: Path) -> Path:
    """:class:`tests.serve_models.ScaleModel`: one double column ``x``, a param ``k``."""
    import mlflow.pyfunc
    import pandas as pd
    from mlflow.models import infer_signature

    from tests.serve_models import ScaleModel

    example = pd.DataFrame({"x": [1.0, 2.0]})
    mlflow.pyfunc.save_model(
        str(path),
        python_model=ScaleModel(),
        signature=infer_signature(example, example["x"].to_numpy(), params={"k": 1.0}),
    )
    return path
