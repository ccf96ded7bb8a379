"""Arguments and options several commands share."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.output import ColorChoice
from mlmodel.report import FORMATTERS, INSPECT_FORMATTERS

if TYPE_CHECKING:
    from mlmodel.runtime.load.safety import TrustOptions

    OutputFormat = str
    InspectFormat = str
else:
    # the choices of --format, made from the formatter tables
    OutputFormat = enum.StrEnum("OutputFormat", {name: name for name in FORMATTERS})
    InspectFormat = enum.StrEnum("InspectFormat", {name: name for name in INSPECT_FORMATTERS})

TEXT = OutputFormat("text")
INSPECT_TEXT = InspectFormat("text")


# str, not Path: pathlib would fold the "//" of a model URI (models:/a//1, s3://b/k)
ModelPaths = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH...",
        help="Model directories or MLmodel files (any name; the file's folder is its model "
        "directory), or model URIs (runs:/, models:/, file://, artifact stores, fetched "
        "through MLflow's client); - reads an MLmodel from stdin.",
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
InspectFormatOption = Annotated[
    InspectFormat, typer.Option("--format", "-f", help="Output format.")
]
StrictOption = Annotated[bool, typer.Option(help="Exit 1 on warnings too.")]
ColorOption = Annotated[
    ColorChoice,
    typer.Option(
        "--color",
        help="Colour and styles in text output. auto: only on a terminal, never when NO_COLOR "
        "is set.",
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print the findings only: no summary lines.")
]
ExitZeroOption = Annotated[
    bool,
    typer.Option("--exit-zero", help="Exit 0 even when there are findings (usage errors exit 2)."),
]
StatisticsOption = Annotated[
    bool,
    typer.Option("--statistics", help="Print how often each code occurs instead of every finding."),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output-file",
        "-o",
        metavar="FILE",
        help="Write the report to FILE (atomically) instead of stdout.",
        show_default=False,
    ),
]
RecursiveOption = Annotated[
    bool,
    typer.Option(
        "--recursive",
        "-r",
        help="Check every MLmodel file below each directory given (skipping what .gitignore "
        "ignores).",
    ),
]
IsolatedOption = Annotated[
    bool,
    typer.Option(
        "--isolated",
        help="Read no configuration file and honour no suppression inside the model "
        "(for checking models you do not own).",
    ),
]
MLflowVersionOption = Annotated[
    str | None,
    typer.Option(
        "--mlflow-version",
        metavar="X.Y",
        help="Judge the model against this MLflow release (default: \\[tool.mlmodel] "
        "mlflow-version, else the newest).",
        show_default=False,
    ),
]
AllowUnsafeOption = Annotated[
    bool,
    typer.Option(
        "--allow-unsafe",
        help="Switch every load check off: pickles off the allowlist and the model's own "
        "code load (only for models you trust; prefer --trust-type or --trusted-key).",
    ),
]
TrustTypeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--trust-type",
        metavar="MODULE.NAME",
        help="Trust one more global a pickle (or skops type) may use, named exactly; "
        "repeatable. Adds to \\[tool.mlmodel.trust] trusted-types.",
        show_default=False,
    ),
]
TrustedKeyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--trusted-key",
        metavar="PUBLIC.pem",
        help="A public key: a model whose signature (mlmodel sign) verifies against it loads "
        "its pickles and code; repeatable. Adds to \\[tool.mlmodel.trust] keys.",
        show_default=False,
    ),
]
RequireSignatureOption = Annotated[
    bool,
    typer.Option(
        "--require-signature",
        help="Refuse a model unless its signature verifies against a --trusted-key.",
    ),
]


def trust_options(
    allow_unsafe: bool,
    trust_type: list[str] | None,
    trusted_key: list[str] | None,
    require_signature: bool,
) -> TrustOptions:
    """The trust a command's options grant (refusals then name these options)."""
    from mlmodel.runtime.load.safety import TrustOptions

    return TrustOptions.of(
        allow_unsafe=allow_unsafe,
        trusted_types=trust_type or (),
        trusted_keys=trusted_key or (),
        require_signature=require_signature,
        caller="cli",
    )


ModelArgument = Annotated[
    str,
    typer.Argument(
        help="The model: a directory, its MLmodel file, or a model URI (runs:/, models:/, "
        "file://, an artifact store).",
        metavar="MODEL",
    ),
]
ModelDirArgument = Annotated[
    Path,
    typer.Argument(metavar="MODEL", help="The model directory.", show_default=False),
]
EnvManagerOption = Annotated[
    str,
    typer.Option(
        "--env-manager",
        metavar="MANAGER",
        help="local (this interpreter), uv or virtualenv: run in the model's own environment "
        "(its requirements and Python, plus mlmodel), created once and cached (mlmodel env "
        "list); uv needs mlmodel\\[uv].",
    ),
]
