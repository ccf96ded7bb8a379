"""``mlmodel verify``: parse options, call :func:`mlmodel.signing.verify_model`, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
from mlmodel.cli.options import ModelDirArgument


@app.command()
def verify(
    model: ModelDirArgument,
    key: Annotated[
        list[Path] | None,
        typer.Option(
            "--key",
            metavar="PUBLIC.pem",
            help="A public key (PEM) the model may be signed with; repeatable.",
            show_default=False,
        ),
    ] = None,
    certificate_chain: Annotated[
        list[Path] | None,
        typer.Option(
            "--certificate-chain",
            metavar="CHAIN",
            help="Trusted certificates (PEM) the signer's certificate must chain to; repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check that MODEL/model.sig was made with one of the keys (or a certificate the
    chain trusts) and that every file of MODEL is signed and unchanged.

    Exit status: 0 verified, 1 the signature is missing, unreadable, made with another
    key, or a file was changed, added, removed or renamed (the message names them), 2
    usage errors (no key given, no such key file or model directory, model-signing not
    installed).
    """
    from mlmodel.signing import verify_model

    if not key and not certificate_chain:
        raise usage("verify", "give --key PUBLIC.pem or --certificate-chain CHAIN")
    verified = verify_model(
        model, public_keys=key or (), certificate_chains=certificate_chain or ()
    )
    typer.echo(
        f"verified {model}: {len(verified.digests)} files, {verified.algorithm}, "
        f"signed with {verified.key}"
    )
