"""Read a model's environment files (requirements.txt, python_env.yaml, conda.yaml) as text.

Nothing is installed or executed; YAML is read with ``yaml.safe_load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlmodel.lint.model import LintContext

MAX_BYTES = 1024 * 1024
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Requirement:
    line: int
    text: str
    name: str  # normalised: lower case, - for _ and .
    spec: str  # what follows the name (and extras), e.g. "==1.5.2" or ">=2"

    @property
    def pinned_version(self) -> str | None:
        match = re.match(r"^===?\s*([^\s;,]+)$", self.spec.split(";")[0].strip())
        return match.group(1) if match else None


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read(ctx: LintContext, name: str) -> str | None:
    from mlmodel.sidefiles import read_text

    path = ctx.file(name)
    if path is None:
        return None
    try:
        return read_text(path, limit=MAX_BYTES)
    except ValueError:  # not a regular file, too large, not UTF-8
        return None


def requirements(ctx: LintContext) -> list[Requirement] | None:
    """Parsed requirements.txt, or None when there is none."""
    if "requirements" in ctx.cache:
        cached: list[Requirement] | None = ctx.cache["requirements"]
        return cached
    text = _read(ctx, "requirements.txt")
    found: list[Requirement] | None = None
    if text is not None:
        found = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #")[0].strip()
            if not line or line.startswith(("#", "-", ".")) or "://" in line:
                continue
            match = _REQUIREMENT.match(line)
            if match:
                found.append(Requirement(number, line, normalise(match.group(1)), match.group(3)))
    ctx.cache["requirements"] = found
    return found


def _yaml(ctx: LintContext, name: str) -> Any:
    from mlmodel.sidefiles import load_yaml

    path = ctx.file(name)
    if path is None:
        return None
    try:
        return load_yaml(path, limit=MAX_BYTES)
    except ValueError:  # validate reports why (V506)
        return None


def env_file(ctx: LintContext, kind: str) -> str | None:
    """The conda or virtualenv file python_function names (1.x string env = conda)."""
    pyfunc = ctx.flavors().get("python_function")
    env = pyfunc.get("env") if isinstance(pyfunc, dict) else None
    if isinstance(env, str):
        return env if kind == "conda" else None
    if isinstance(env, dict) and isinstance(env.get(kind), str):
        return str(env[kind])
    return None


def python_env_version(ctx: LintContext) -> str | None:
    name = env_file(ctx, "virtualenv") or "python_env.yaml"
    data = _yaml(ctx, name)
    version = data.get("python") if isinstance(data, dict) else None
    return str(version) if version is not None else None


def conda_python_version(ctx: LintContext) -> str | None:
    name = env_file(ctx, "conda") or "conda.yaml"
    data = _yaml(ctx, name)
    deps = data.get("dependencies") if isinstance(data, dict) else None
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, str) and re.match(r"^python\s*[=<>~]", dep):
            return re.sub(r"^python\s*=*\s*", "", dep).strip()
    return None
