"""The ``Content-Type`` of an ``/invocations`` request, checked as MLflow checks it (§7.3).

The MIME type is the part before the first ``;``; parameters are ``key=value``. ``charset``
must be UTF-8 and no other parameter is allowed (the 1.x ``format=...`` parameters are
refused with MLflow's protocol-change hint); all of these answer 415 in plain text. A
missing header, which MLflow answers 500, is a 415 naming the accepted types.
"""

from __future__ import annotations

from typing import Final

from mlmodel.scoring.errors import unsupported_media_type

CSV: Final = "text/csv"
JSON: Final = "application/json"
PARQUET: Final = "application/vnd.apache.parquet"
CONTENT_TYPES: Final = (CSV, JSON, PARQUET)

SCORING_PROTOCOL_CHANGE_INFO: Final = (
    "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are"
    " seeing this error, you are likely using an outdated scoring request format. To resolve the"
    " error, either update your request format or adjust your MLflow Model's requirements file to"
    " specify an older version of MLflow (for example, change the 'mlflow' requirement specifier"
    " to 'mlflow==1.30.0'). If you are making a request using the MLflow client"
    " (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 in"
    " order to use the new request format. For more information about the updated MLflow"
    " Model scoring protocol in MLflow 2.0, see"
    " https://mlflow.org/docs/latest/models.html#deploy-mlflow-models."
)


def mime_type(header: str | None) -> str:
    """The accepted MIME type of ``header``; raises a 415 ScoringError otherwise."""
    if header is None or not header.strip():
        raise unsupported_media_type(
            "The request has no Content-Type header. This predictor only supports the following"
            f" content types: Types: {list(CONTENT_TYPES)}."
        )
    parts = [part.strip() for part in header.split(";")]
    params = {key: value for key, _, value in (p.partition("=") for p in parts[1:])}
    if params.get("charset", "utf-8").lower() != "utf-8":
        raise unsupported_media_type("The scoring server only supports UTF-8")
    unexpected = set(params) - {"charset"}
    if unexpected:
        raise unsupported_media_type(
            f"Unrecognized content type parameters: {', '.join(sorted(unexpected))}. "
            f"{SCORING_PROTOCOL_CHANGE_INFO}"
        )
    mime = parts[0]
    if mime not in CONTENT_TYPES:
        raise unsupported_media_type(
            "This predictor only supports the following content types:"
            f" Types: {list(CONTENT_TYPES)}. Got '{header}'."
        )
    return mime
