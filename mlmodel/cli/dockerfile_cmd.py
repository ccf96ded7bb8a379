"""``mlmodel generate-dockerfile``: a build context whose container serves the model on 8080."""

from __future__ import annotations

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


@app.command("generate-dockerfile")
def generate_dockerfile(
    model: ModelArgument,
    output: Annotated[
        str, typer.Option("--output-directory", "-o", help="The build context to create.")
    ] = "mlmodel-dockerfile",
    mlmodel_requirement: Annotated[
        str,
        typer.Option(
            "--mlmodel-requirement",
            help="What the image pip-installs for mlmodel (a name, a version pin or a URL).",
        ),
    ] = "mlmodel[serve,sklearn]",
    allow_unsafe: AllowUnsafeOption = False,
    trust_type: TrustTypeOption = None,
    trusted_key: TrustedKeyOption = None,
    require_signature: RequireSignatureOption = False,
) -> None:
    """Write a Docker build context (Dockerfile + the model) whose container runs
    `mlmodel serve` on 0.0.0.0:8080 with the model's requirements installed.

    The trust options are the server's: checked here (the model's signature verified, its
    code and pickles judged, nothing loaded) and written into the image's command, the
    public keys copied into the context.

    Exit status: 0, 1 when the model does not validate or would be refused, 2 when the
    output exists.
    """
    from mlmodel.serve.dockerfile import generate

    trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
    path = generate(model, output, mlmodel_requirement=mlmodel_requirement, trust=trust)
    typer.echo(f"wrote {path}/Dockerfile; build with: docker build -t IMAGE {path}")
