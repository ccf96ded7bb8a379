"""``mlmodel sign``: parse options, call :func:`mlmodel.signing.sign_model`, print."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
from mlmodel.cli.options import ModelDirArgument


@app.command()
def sign(
    model: ModelDirArgument,
    key: Annotated[
        Path,
        typer.Option(
            "--key",
            metavar="PRIVATE.pem",
            help="Elliptic-curve private key (PEM; P-256, P-384 or P-521).",
            show_default=False,
        ),
    ],
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            metavar="VAR",
            help="Read the key's password from this environment variable.",
            show_default=False,
        ),
    ] = None,
    certificate: Annotated[
        Path | None,
        typer.Option(
            "--certificate",
            metavar="CERT",
            help="Sign with this certificate (PEM) of the key: the signature carries it.",
            show_default=False,
        ),
    ] = None,
    certificate_chain: Annotated[
        list[Path] | None,
        typer.Option(
            "--certificate-chain",
            metavar="CHAIN",
            help="The CA certificates (PEM) above --certificate, up to the root; repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Sign every file of the model directory MODEL with OpenSSF model signing: writes
    MODEL/model.sig (a Sigstore bundle that `model_signing verify` also reads), atomically.

    Exit status: 0 signed, 2 usage errors (no such directory or key, a wrong password, a
    symlink in the model, model-signing not installed).
    """
    from mlmodel.signing import sign_model

    password: bytes | None = None
    if password_env is not None:
        value = os.environ.get(password_env)
        if value is None:
            raise usage(
                "sign", f"--password-env: the environment variable {password_env} is not set"
            )
        password = value.encode("utf-8")
    if bool(certificate_chain) != (certificate is not None):
        raise usage("sign", "--certificate and --certificate-chain go together")
    written = sign_model(
        model,
        key,
        password=password,
        certificate=certificate,
        certificate_chain=certificate_chain or (),
    )
    typer.echo(f"signed {model}: {written}")
