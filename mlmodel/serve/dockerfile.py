"""``mlmodel generate-dockerfile``: a Docker build context that serves a model on port 8080.

The context holds ``Dockerfile`` and ``model/`` (a copy of the model directory). The image
installs the model's ``requirements.txt`` and mlmodel with its ``serve`` extra, and its
entry point is ``mlmodel serve /opt/ml/model --host 0.0.0.0 --port 8080`` (the SageMaker
and KServe container contract: ``GET /ping``, ``POST /invocations`` on 8080). The context is
written whole or not at all (:func:`mlmodel.core.fsio.atomic_directory`).

Trust travels with the image, never with the model: trusted public keys are copied to
``keys/`` and passed as ``--trusted-key`` (with ``--require-signature`` when asked), trusted
types as ``--trust-type``. The same trust decision the server will make is made here first
(signature verified, code and every pickle judged, nothing loaded), so a context is never
written for a model its container would refuse.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from mlmodel.runtime.load.safety import TrustOptions

MODEL_DIR_IN_IMAGE: Final = "/opt/ml/model"
KEYS_DIR_IN_IMAGE: Final = "/opt/ml/keys"
WHEELS_DIR_IN_IMAGE: Final = "/opt/ml/wheels"
VENV_IN_IMAGE: Final = "/opt/venv"
PORT: Final = 8080
DEFAULT_BASE_IMAGE: Final = "python:{python}-slim"
#: the server's user: a numeric id, which Kubernetes' runAsNonRoot can check
USER_ID: Final = 10001
#: the uv the image installs with ``--env-manager uv``
UV_VERSION: Final = "0.13.9"
#: how the image installs the model's requirements (see :func:`install_command`)
ENV_MANAGERS: Final = ("local", "virtualenv", "uv")
#: mlmodel's extra for a flavor's library, installed when the model has no requirements.txt
FLAVOR_EXTRAS: Final = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm"}
#: the container's health check: GET /ping with the image's Python (slim images have no curl)
HEALTHCHECK_COMMAND: Final = (
    "python",
    "-c",
    f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{PORT}/ping', timeout=4)",
)


def entrypoint(
    model_dir: str = MODEL_DIR_IN_IMAGE,
    host: str = "0.0.0.0",
    port: int = PORT,
    trust: Sequence[str] = (),
) -> list[str]:
    """The command the container runs (exec form); ``trust`` are serve's trust options."""
    return ["mlmodel", "serve", model_dir, "--host", host, "--port", str(port), *trust]


def trust_arguments(trust: TrustOptions, key_names: Sequence[str]) -> list[str]:
    """``mlmodel serve``'s options granting ``trust`` inside the image (keys in keys/)."""
    args: list[str] = []
    for name in key_names:
        args += ["--trusted-key", f"{KEYS_DIR_IN_IMAGE}/{name}"]
    for type_name in trust.trusted_types:
        args += ["--trust-type", type_name]
    if trust.require_signature:
        args.append("--require-signature")
    if trust.allow_unsafe:
        args.append("--allow-unsafe")
    return args


def _python_version(document: dict[str, Any]) -> str:
    version = str(
        ((document.get("flavors") or {}).get("python_function") or {}).get("python_version")
        or "3.11"
    )
    parts = version.split(".")
    return (
        ".".join(parts[:2]) if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]) else "3.11"
    )


def install_command(env_manager: str, arguments: Sequence[str]) -> str:
    """The shell command of the image's one install layer: ``arguments`` (pip's) installed

    * ``local``: by pip into the image's Python (the image is the model's environment);
    * ``virtualenv``: by pip into a venv at :data:`VENV_IN_IMAGE` (put first on ``PATH``),
      apart from whatever the base image's Python holds;
    * ``uv``: by uv (:data:`UV_VERSION`, installed by pip first) into the image's Python
      (``uv pip install --system``): the same packages, resolved and installed faster.
    """
    args = " ".join(arguments)
    if env_manager == "virtualenv":
        return f"python -m venv {VENV_IN_IMAGE} && {VENV_IN_IMAGE}/bin/pip install --no-cache-dir {args}"
    if env_manager == "uv":
        return (
            f"pip install --no-cache-dir uv=={UV_VERSION} && "
            f"uv pip install --system --no-cache {args}"
        )
    return f"pip install --no-cache-dir {args}"


def mlmodel_extras(document: dict[str, Any], has_requirements: bool) -> list[str]:
    """The extras the image installs mlmodel with: ``serve``, and when the model has no
    requirements.txt to name its framework, the extra of each flavor's library."""
    extras = ["serve"]
    if not has_requirements:
        flavors = document.get("flavors") or {}
        extras += [extra for flavor, extra in FLAVOR_EXTRAS.items() if flavor in flavors]
    return extras


def dockerfile_text(
    document: dict[str, Any],
    *,
    requirement_files: Sequence[str],
    mlmodel_install: str,
    wheel: str | None = None,
    trust: Sequence[str] = (),
    has_keys: bool = False,
    env_manager: str = "local",
) -> str:
    """The Dockerfile for a model whose MLmodel is ``document``.

    ``requirement_files`` are the model's requirements.txt and the files its ``-r``/``-c``
    lines name (relative to the model directory, requirements.txt first; empty when it has
    none), ``mlmodel_install`` is pip's argument for mlmodel (the wheel's path in the image
    with its extras, or a published requirement), ``wheel`` the wheel's file name in the
    context's ``wheels/`` (None when none is copied)."""
    base = DEFAULT_BASE_IMAGE.format(python=_python_version(document))
    lines = [
        "# Generated by mlmodel generate-dockerfile: serves the model on port 8080",
        "# (GET /ping, POST /invocations, /v2/..., /metrics).",
        f"FROM {base}",
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \\",
        "    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore",
        "WORKDIR /opt/ml",
    ]
    lines += [f"COPY model/{name} {MODEL_DIR_IN_IMAGE}/{name}" for name in requirement_files]
    if wheel is not None:
        lines.append(f"COPY wheels/{wheel} {WHEELS_DIR_IN_IMAGE}/{wheel}")
    arguments = [f"-r {MODEL_DIR_IN_IMAGE}/{requirement_files[0]}"] if requirement_files else []
    arguments.append(shlex.quote(mlmodel_install))
    lines += [
        "# One install: the model's requirements and mlmodel together, so that the resolver",
        "# sees both; the model's pins are exact requirements, mlmodel's are ranges around them.",
        f"RUN {install_command(env_manager, arguments)}",
    ]
    if env_manager == "virtualenv":
        lines.append(f'ENV VIRTUAL_ENV={VENV_IN_IMAGE} PATH="{VENV_IN_IMAGE}/bin:$PATH"')
    lines += [
        f"COPY model {MODEL_DIR_IN_IMAGE}",
        *([f"COPY keys {KEYS_DIR_IN_IMAGE}"] if has_keys else []),
        f"RUN useradd --system --no-log-init --uid {USER_ID} --no-create-home mlmodel",
        f"USER {USER_ID}",
        f"EXPOSE {PORT}",
        "STOPSIGNAL SIGTERM",
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \\",
        f"    CMD {json.dumps(list(HEALTHCHECK_COMMAND))}",
        f"ENTRYPOINT {json.dumps(entrypoint(trust=trust))}",
        "",
    ]
    return "\n".join(lines)


def requirement_files(model_dir: Path) -> list[str]:
    """The model's requirements.txt and the files its ``-r``/``-c`` lines name, relative to
    ``model_dir`` (empty when it has no requirements.txt); a file outside the model
    directory is a UsageError (the build context holds the model directory only)."""
    from mlmodel.core.errors import UsageError
    from mlmodel.modeldir.requirements import included_files

    if not (model_dir / "requirements.txt").is_file():
        return []
    root = model_dir.resolve()
    names: list[str] = []
    for path in included_files(model_dir / "requirements.txt"):
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise UsageError(
                f"{path}: named by the model's requirements.txt (-r/-c) but outside the model "
                "directory, so the image cannot install it; move it into the model directory"
            )
        names.append(resolved.relative_to(root).as_posix())
    return names


def generate(
    model: str | Path,
    output: str | Path,
    *,
    mlmodel_requirement: str | None = None,
    trust: TrustOptions | None = None,
    env_manager: str = "local",
) -> Path:
    """Write the build context for ``model`` to ``output`` (which must not exist or be empty).

    mlmodel goes into the image as a wheel of the running mlmodel, copied to the context's
    ``wheels/`` (:func:`mlmodel.environments.self_wheel.build_self_wheel`), or, given
    ``mlmodel_requirement``, as that published requirement (no wheel). ``env_manager`` is
    how the image installs (:func:`install_command`). The model is validated and the trust
    decision made first, under ``trust`` (an invalid model raises InvalidModelError, a
    refused one UnsafeModelError); nothing is loaded."""
    from mlmodel.core.errors import UsageError
    from mlmodel.core.fsio import atomic_directory
    from mlmodel.runtime.gate import (
        admit,  # validation and trust, nothing loaded (no unpickling)
    )
    from mlmodel.runtime.load.safety import TrustOptions

    if env_manager not in ENV_MANAGERS:
        raise UsageError(
            f"unknown env manager {env_manager!r}: choose one of {', '.join(ENV_MANAGERS)}"
        )
    trust = trust or TrustOptions()
    admitted = admit(model, trust, scan=True)
    model_dir, document = admitted.model_dir, admitted.document
    requirements = requirement_files(model_dir)
    keys = [Path(k) for k in trust.trusted_keys]
    key_names = [f"key{i}-{k.name}" for i, k in enumerate(keys)]
    with atomic_directory(output) as folder:
        shutil.copytree(model_dir, folder / "model", symlinks=True)
        if keys:
            (folder / "keys").mkdir()
            for key, name in zip(keys, key_names, strict=True):
                shutil.copyfile(key, folder / "keys" / name)
        wheel: str | None = None
        if mlmodel_requirement is None:
            from mlmodel.environments.self_wheel import build_self_wheel

            wheel = build_self_wheel(folder / "wheels").name
            extras = ",".join(mlmodel_extras(document, bool(requirements)))
            mlmodel_install = f"{WHEELS_DIR_IN_IMAGE}/{wheel}[{extras}]"
        else:
            mlmodel_install = mlmodel_requirement
        text = dockerfile_text(
            document,
            requirement_files=requirements,
            mlmodel_install=mlmodel_install,
            wheel=wheel,
            trust=trust_arguments(trust, key_names),
            has_keys=bool(keys),
            env_manager=env_manager,
        )
        (folder / "Dockerfile").write_text(text, encoding="utf-8")
        (folder / ".dockerignore").write_text("**/__pycache__\n**/*.pyc\n", encoding="utf-8")
    return Path(output)
