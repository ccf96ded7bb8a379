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


def save_tensor(path: Path) -> Path:
    """:class:`tests.serve_models.RowSumModel`: a ``float64 (-1, 3)`` tensor in, ``(-1,)``
    out, saved with an input example (so ``serving_input_example.json``)."""
    import mlflow.pyfunc
    import numpy as np
    from mlflow.models import infer_signature

    from tests.serve_models import RowSumModel

    example = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mlflow.pyfunc.save_model(
        str(path),
        python_model=RowSumModel(),
        signature=infer_signature(example, example.sum(axis=1)),
        input_example=example,
    )
    return path


def save_unsigned(path: Path) -> Path:
    """:class:`tests.pyfunc_models.EchoModel` saved without a signature."""
    import mlflow.pyfunc

    from tests.pyfunc_models import EchoModel

    mlflow.pyfunc.save_model(str(path), python_model=EchoModel())
    return path


def save_hinted(path: Path) -> Path:
    """:class:`tests.pyfunc_models.HintedModel`: a signature from type hints (``list[str]``)."""
    import mlflow.pyfunc

    from tests.pyfunc_models import HintedModel

    mlflow.pyfunc.save_model(str(path), python_model=HintedModel(), input_example=["a", "b"])
    return path


def save_mlmodel_columns(path: Path) -> Path:
    """A scikit-learn regressor saved by mlmodel (skops) with a DataFrame input example:
    column signature with an optional-free double/long mix, ``serving_input_example.json``."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn

    frame = pd.DataFrame({"hours": [1.5, 2.0, 3.5], "visits": [3, 4, 8]})
    model = LinearRegression().fit(frame, [1.0, 2.0, 3.0])
    mlmodel.sklearn.save_model(model, path, input_example=frame)
    return path


def save_mlmodel_tensor(path: Path) -> Path:
    """A scikit-learn regressor saved by mlmodel with an ndarray input example (tensor
    signature)."""
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn

    data = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    mlmodel.sklearn.save_model(
        LinearRegression().fit(data, [1.0, 2.0, 3.0]), path, input_example=data
    )
    return path


def save_mlmodel_unsigned(path: Path) -> Path:
    """A scikit-learn regressor saved by mlmodel with neither signature nor example."""
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn

    mlmodel.sklearn.save_model(LinearRegression().fit([[1.0], [2.0]], [1.0, 2.0]), path)
    return path
