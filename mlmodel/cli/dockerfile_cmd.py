"""``mlmodel generate-dockerfile``: a build context whose container serves the model on 8080."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import (
    AllowUnsafeOption,
    ModelArgument,
    RequireSignatureOption,
    TrustedKeyOption,
    TrustTypeOption,
    trust_options,
)


class ImageEnvManager(enum.StrEnum):
    """How the image installs the model's requirements and mlmodel."""

    local = "local"
    virtualenv = "virtualenv"
    uv = "uv"


@app.command("generate-dockerfile")
def generate_dockerfile(
    model: ModelArgument,
    output: Annotated[
        str, typer.Option("--output-directory", "-o", help="The build context to create.")
    ] = "mlmodel-dockerfile",
    mlmodel_requirement: Annotated[
        str | None,
        typer.Option(
            "--mlmodel-requirement",
            metavar="SPEC",
            help="Install this published mlmodel in the image (a pinned requirement such as "
            "'mlmodel\\[serve]==0.1.0', or a URL) instead of a wheel of the running mlmodel "
            "copied into the context's wheels/.",
        ),
    ] = None,
    env_manager: Annotated[
        ImageEnvManager,
        typer.Option(
            "--env-manager",
            help="How the image installs the model's requirements with mlmodel (one layer): "
            "local = pip into the image's Python (the image is the model's environment); "
            "virtualenv = pip into a venv at /opt/venv, first on PATH; uv = uv pip install "
            "--system into the image's Python (faster builds).",
        ),
    ] = ImageEnvManager.local,
    allow_unsafe: AllowUnsafeOption = False,
    trust_type: TrustTypeOption = None,
    trusted_key: TrustedKeyOption = None,
    require_signature: RequireSignatureOption = False,
) -> None:
    """Write a Docker build context (Dockerfile, the model, a wheel of this mlmodel) whose
    container runs `mlmodel serve` on 0.0.0.0:8080 with the model's requirements installed.

    The image builds from the context alone: mlmodel is the wheel in wheels/ (built from
    the mlmodel running this command, offline), installed in the same pip call as the
    model's requirements.txt, whose pins the resolver must keep.

    The trust options are the server's: checked here (the model's signature verified, its
    code and pickles judged, nothing loaded) and written into the image's command, the
    public keys copied into the context.

    Exit status: 0, 1 when the model does not validate or would be refused, 2 when the
    output exists.
    """
    from mlmodel.serve.dockerfile import generate

    trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
    path = generate(
        model,
        output,
        mlmodel_requirement=mlmodel_requirement,
        trust=trust,
        env_manager=env_manager.value,
    )
    typer.echo(f"wrote {path}/Dockerfile; build with: docker build -t IMAGE {path}")
