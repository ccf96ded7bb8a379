"""The environment files of a saved model, as MLflow 3.17 writes them.

``requirements.txt`` (lines joined by ``\\n``, no final newline, an ``-c constraints.txt``
line when constraints were given), ``constraints.txt``, ``conda.yaml`` (sorted keys,
``python=X.Y.Z``, ``pip<=<installed pip>``, then the pip list) and ``python_env.yaml``
(``python``, ``build_dependencies``, ``dependencies`` in that order).

Versions are those installed in the running interpreter (``importlib.metadata``). The
first requirement pins MLflow, as MLflow does, when MLflow is installed: the model's loader
module is ``mlflow.<flavor>``, so serving it with MLflow needs it. Without MLflow installed
no MLflow pin is written (mlmodel cannot know which release will serve the model); pass
one in ``extra_pip_requirements`` to serve the model with MLflow's environment restoration.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlmodel.core.errors import UsageError
from mlmodel.modeldir.requirements import (
    MLFLOW_DISTRIBUTIONS,
    expand_includes,
    normalise_name,
    read_requirements_file,
    requirement_name,
)

REQUIREMENTS_FILE = "requirements.txt"
CONSTRAINTS_FILE = "constraints.txt"
CONDA_FILE = "conda.yaml"
PYTHON_ENV_FILE = "python_env.yaml"
BUILD_PACKAGES = ("pip", "setuptools", "wheel")


def python_version() -> str:
    info = sys.version_info
    return f"{info.major}.{info.minor}.{info.micro}"


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def pinned(distribution: str) -> str:
    """``name==<installed version>``; refuses a distribution that is not installed."""
    version = installed_version(distribution)
    if version is None:
        raise UsageError(f"{distribution} is not installed; cannot pin its version")
    return f"{distribution}=={version.split('+')[0]}"


def mlflow_pin() -> str | None:
    """``mlflow==<version>`` for the MLflow installed here (full or skinny), else None."""
    for name in ("mlflow", "mlflow-skinny"):
        version = installed_version(name)
        if version is not None:
            return f"mlflow=={version.split('+')[0]}"
    return None


def parse_pip_requirements(value: str | Path | Iterable[str]) -> tuple[list[str], list[str]]:
    """A requirements file path or a list of requirement strings -> (requirements, constraints)."""
    if isinstance(value, str | Path):
        return read_requirements_file(Path(value))
    return expand_includes(_strings(value), Path())


def _strings(items: Iterable[object]) -> Iterator[str]:
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"a pip requirement is a string, not {type(item).__name__}")
        yield item.strip()


def _deduplicate(requirements: Sequence[str]) -> list[str]:
    """Drop repeated requirements; for one name given twice the later line wins, in place of
    the first."""
    result: list[str] = []
    position: dict[str, int] = {}
    for line in requirements:
        name = requirement_name(line)
        if name is None:
            if line not in result:
                result.append(line)
            continue
        if name in position:
            result[position[name]] = line
        else:
            position[name] = len(result)
            result.append(line)
    return result


@dataclass
class Environment:
    """What the environment files of one model will say."""

    requirements: list[str]
    constraints: list[str] = field(default_factory=list)
    python: str = field(default_factory=python_version)

    @classmethod
    def build(
        cls,
        default_requirements: Sequence[str],
        pip_requirements: str | Path | Iterable[str] | None = None,
        extra_pip_requirements: str | Path | Iterable[str] | None = None,
    ) -> Environment:
        """MLflow's ``_process_pip_requirements``: the defaults, or the caller's list, or the
        defaults plus extras; an MLflow pin first unless one is given."""
        if pip_requirements is not None and extra_pip_requirements is not None:
            raise UsageError("pass pip_requirements or extra_pip_requirements, not both")
        constraints: list[str] = []
        if pip_requirements is not None:
            requirements, constraints = parse_pip_requirements(pip_requirements)
        elif extra_pip_requirements is not None:
            extra, constraints = parse_pip_requirements(extra_pip_requirements)
            requirements = [*default_requirements, *extra]
        else:
            requirements = list(default_requirements)
        if not any(requirement_name(r) in MLFLOW_DISTRIBUTIONS for r in requirements):
            pin = mlflow_pin()
            if pin is not None:
                requirements.insert(0, pin)
        requirements = _deduplicate(requirements)
        if constraints:
            requirements.append(f"-c {CONSTRAINTS_FILE}")
        return cls(requirements, constraints)

    def conda_env(self) -> dict[str, object]:
        pip_version = installed_version("pip")
        dependencies: list[object] = [f"python={self.python}"]
        dependencies.append(f"pip<={pip_version}" if pip_version else "pip")
        dependencies.append({"pip": list(self.requirements)})
        return {"name": "mlflow-env", "channels": ["conda-forge"], "dependencies": dependencies}

    def python_env(self) -> dict[str, object]:
        build = []
        for package in BUILD_PACKAGES:
            version = installed_version(package)
            build.append(f"{package}=={version}" if version else package)
        data: dict[str, object] = {
            "python": self.python,
            "build_dependencies": build,
            "dependencies": [f"-r {REQUIREMENTS_FILE}"],
        }
        return {k: v for k, v in data.items() if v}

    def write(self, directory: Path) -> list[Path]:
        """Write conda.yaml, constraints.txt (if any), requirements.txt and python_env.yaml."""
        import yaml

        written = []
        conda = directory / CONDA_FILE
        conda.write_text(yaml.safe_dump(self.conda_env(), default_flow_style=False))
        written.append(conda)
        if self.constraints:
            constraints = directory / CONSTRAINTS_FILE
            constraints.write_text("\n".join(self.constraints))
            written.append(constraints)
        requirements = directory / REQUIREMENTS_FILE
        requirements.write_text("\n".join(self.requirements))
        written.append(requirements)
        python_env = directory / PYTHON_ENV_FILE
        python_env.write_text(
            yaml.safe_dump(self.python_env(), sort_keys=False, default_flow_style=False)
        )
        written.append(python_env)
        return written


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    """Top-level module -> distributions; read once per process (it reads every RECORD)."""
    return importlib.metadata.packages_distributions()


def module_distributions(modules: Iterable[str]) -> list[str]:
    """Installed distributions providing the top-level packages of ``modules`` (stdlib and
    unknown modules skipped), sorted."""
    mapping = _packages_distributions()
    found: set[str] = set()
    for module in modules:
        top = module.split(".")[0]
        if not top or top in sys.stdlib_module_names or top == "builtins":
            continue
        for distribution in mapping.get(top, ()):
            found.add(distribution)
    return sorted(found)


def prune_dependencies(distributions: Iterable[str]) -> list[str]:
    """Drop distributions that another one in the list already requires (MLflow prunes the
    same way, so ``numpy`` and ``scipy`` go when ``scikit-learn`` is there)."""
    names = {normalise_name(d): d for d in distributions}
    required: set[str] = set()
    for name in names:
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            if "extra ==" in line:
                continue
            dependency = requirement_name(line)
            if dependency is not None and dependency != name:
                required.add(dependency)
    return sorted(d for n, d in names.items() if n not in required)
