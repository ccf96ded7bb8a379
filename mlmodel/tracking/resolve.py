"""Model URI -> a local model directory, through MLflow's own client.

:func:`resolve_model_dir` is the one place a model path or URI becomes a directory:
``mlmodel.modeldir.location.resolve_mlmodel_path`` (hence ``mlmodel.pyfunc.load_model``,
``Model.load``, ``mlmodel.sklearn.load_model`` and every CLI command) calls it for URIs.
Remote models are fetched with ``mlflow.artifacts.download_artifacts`` into the cache
(:mod:`mlmodel.tracking.cache`), whole or not at all. This package sits low in the layers
(errors, uris, fsio and MLflow only): its callers validate what it fetched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mlmodel.core.errors import MissingDependencyError, UsageError
from mlmodel.core.names import MLMODEL_NAME
from mlmodel.core.uris import FILE, MODELS, ModelUri, is_model_uri, parse_model_uri

if TYPE_CHECKING:
    from mlflow import MlflowClient

_logger = logging.getLogger("mlmodel.tracking")

#: progress callback: (bytes so far, bytes in all when known)
Progress = Callable[[int, int | None], None]


def require_tracking() -> None:
    """:class:`MissingDependencyError` naming the tracking extra when MLflow's client is not
    installed."""
    import importlib.util

    if importlib.util.find_spec("mlflow") is None:
        raise MissingDependencyError.for_extra("tracking", "reading a model URI")


def mlflow_client() -> MlflowClient:
    """MLflow's client for the current tracking URI; a usage error without the extra."""
    try:
        from mlflow import MlflowClient
    except ImportError as exc:
        raise MissingDependencyError.for_extra("tracking", "reading a model URI") from exc
    return MlflowClient()


#: how MLflow's artifact repositories start the error of a download with failed files; each
#: failure follows as a ``##### File PATH #####`` line and the error's text
DOWNLOAD_FAILURES: Final = "The following failures occurred while downloading"
_FAILED_FILE = re.compile(r"^##### File (.+) #####$")
#: requests' HTTPError text as MLflow's artifact client raises it
_HTTP_ERROR = re.compile(
    r"^(\d{3} (?:Client|Server) Error: .*?) for url: \S+?(?:\. Response text: (.*))?$", re.DOTALL
)


def one_line(exc: BaseException) -> str:
    """An MLflow error as one line (its message may hold a multi-line server reply).

    MLflow's error for a download whose files failed puts the reasons on the lines after
    its first (which ends with the store's URI and a colon): the first failed file and its
    reason are kept instead, with how many more failed.
    """
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if lines[0].startswith(DOWNLOAD_FAILURES):
        failures = _failed_files(lines[1:])
        if failures:
            path, reason = failures[0]
            more = f" (and {len(failures) - 1} more file(s))" if len(failures) > 1 else ""
            return f"{path}: {reason}{more}"
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _failed_files(lines: list[str]) -> list[tuple[str, str]]:
    """(path, reason in one line) of each ``##### File PATH #####`` entry."""
    found: list[tuple[str, list[str]]] = []
    for line in lines:
        header = _FAILED_FILE.match(line)
        if header is not None:
            found.append((header.group(1), []))
        elif found:
            found[-1][1].append(line)
    return [(path, _http_reason(" ".join(text)) or "failed") for path, text in found]


def _http_reason(text: str) -> str:
    """``400 Client Error: Bad Request for url: URL. Response text: {"message": ...}`` as
    ``400 Client Error: Bad Request: <the server's message>``; other text as it is."""
    match = _HTTP_ERROR.match(text)
    if match is None:
        return text
    status, reply = match.group(1), (match.group(2) or "").strip()
    try:
        import json

        said = json.loads(reply).get("message") if reply else None
    except (ValueError, AttributeError):
        said = reply or None
    return f"{status}: {said}" if said else status


def pinned(parsed: ModelUri, client: MlflowClient) -> ModelUri:
    """An alias, stage or ``latest`` URI turned into the version it names now (so the
    cache holds versions, which do not change); other URIs unchanged."""
    if parsed.kind != MODELS or parsed.name is None or parsed.version is not None:
        return parsed
    if parsed.alias is not None:
        version = str(client.get_model_version_by_alias(parsed.name, parsed.alias).version)
    else:
        stage = None if parsed.latest else str(parsed.stage)
        newest = newest_version(client, parsed.name, stage)
        if newest is None:
            where = "" if stage is None else f" in stage {stage!r}"
            raise UsageError(f"{parsed.uri}: no version of model {parsed.name!r}{where}")
        version = str(newest)
    return parse_model_uri(f"models:/{parsed.name}/{version}")


def newest_version(client: MlflowClient, name: str, stage: str | None = None) -> int | None:
    """The highest version number of registered model ``name`` (only those in ``stage``,
    compared case-insensitively, when given), or None when it has none.

    MLflow 3 deprecates ``MlflowClient.get_latest_versions`` (a ``FutureWarning`` on every
    call) and recommends ``search_model_versions`` filtered by name; MLflow's own
    ``models:/NAME/latest`` resolution takes the highest version number, as this does. Each
    version found carries its ``current_stage``, so a stage URI needs no deprecated call
    either. Every page of the search is read (a registry answers 10,000 versions a page).
    """
    quote = '"' if "'" in name else "'"
    query = f"name = {quote}{name}{quote}"
    newest: int | None = None
    token: str | None = None
    while True:
        page = client.search_model_versions(query, page_token=token)
        for found in page:
            if stage is None or str(found.current_stage).lower() == stage.lower():
                number = int(found.version)
                newest = number if newest is None else max(newest, number)
        token = page.token
        if not token:
            return newest


def _check_exists(parsed: ModelUri, client: MlflowClient) -> None:
    # a precise one-line reason before any download (unknown run, version, model id)
    if parsed.kind == "runs" and parsed.run_id is not None:
        client.get_run(parsed.run_id)
    elif parsed.kind == MODELS and parsed.model_id is not None:
        client.get_logged_model(parsed.model_id)
    elif parsed.kind == MODELS and parsed.name is not None and parsed.version is not None:
        client.get_model_version(parsed.name, parsed.version)


#: the path MLflow's HTTP artifact repository needs in an ``http(s)://`` URI: it reads only
#: an MLflow server's artifact API
HTTP_ARTIFACTS: Final = "/mlflow-artifacts/artifacts"


def check_supported(parsed: ModelUri) -> None:
    """A usage error for a URI MLflow's client cannot download, before it is asked: an
    ``http(s)://`` URI that is not an MLflow server's artifact API."""
    scheme = parsed.uri.partition(":")[0].lower()
    if scheme in ("http", "https") and HTTP_ARTIFACTS not in parsed.uri:
        raise UsageError(
            f"{parsed.uri}: not a model URI MLflow's client can download: an {scheme}:// URI "
            f"must name an MLflow server's artifact API ({scheme}://HOST{HTTP_ARTIFACTS}"
            "/PATH, or mlflow-artifacts:/PATH with MLFLOW_TRACKING_URI); use runs:/ or "
            "models:/, or download the files and pass their directory"
        )


def download(uri: str, destination: Path, progress: Progress | None = None) -> None:
    """Download the model of ``uri`` into the existing empty directory ``destination``
    (MLflow's ``download_artifacts``: every scheme its client resolves). ``progress`` is
    called with (bytes so far, bytes in all) while the download runs; the total is the sum of
    the file sizes the store lists (None until listed, or when it lists no sizes). Whatever
    MLflow's client raises becomes a one-line :class:`~mlmodel.core.errors.UsageError`
    naming ``uri`` and the reason (a :class:`~mlmodel.core.errors.MissingDependencyError`
    for a package its store needs)."""
    import mlflow.artifacts

    landing = destination / ".download"
    landing.mkdir()
    swallowed: list[BaseException] = []
    with _reporting(landing, progress, uri), _swallowed_errors(swallowed):
        try:
            local = Path(
                mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(landing))
            )
        except ModuleNotFoundError as exc:  # boto3 for s3://, google-cloud-storage for gs://
            scheme = uri.partition(":")[0]
            package = (exc.name or "").partition(".")[0] or "its store's client"
            raise MissingDependencyError(
                f"{uri}: MLflow's client needs the {package} package to download {scheme}: "
                f"URIs: pip install {package}",
                package=package,
            ) from exc
        except Exception as exc:
            if isinstance(exc, UsageError):
                raise
            reason = one_line(_the_reason(swallowed) or exc)
            raise UsageError(f"{uri}: cannot download: {reason}") from exc
    # runs:/<id>/<path> lands under <path>; models:/ lands directly: hoist the model up
    root = local if local.is_dir() else landing
    for entry in list(root.iterdir()):
        entry.rename(destination / entry.name)
    shutil.rmtree(landing, ignore_errors=True)


#: MLflow's ``runs:/`` repository logs (at debug level) why a download failed and raises
#: a reason-less "please ensure that the path is correct" instead
_SWALLOWING_LOGGERS: Final = ("mlflow.store.artifact.runs_artifact_repo",)


@contextlib.contextmanager
def _swallowed_errors(into: list[BaseException]) -> Iterator[None]:
    """Collect the exceptions MLflow's artifact repositories log at debug level and then
    replace by a message without a reason. The records are filtered out (nothing more is
    printed than without this), and each logger's level is restored afterwards."""

    class Keep(logging.Filter):
        def __init__(self, shown_from: int) -> None:
            super().__init__()
            self.shown_from = shown_from

        def filter(self, record: logging.LogRecord) -> bool:
            if record.exc_info and record.exc_info[1] is not None:
                into.append(record.exc_info[1])
            return record.levelno >= self.shown_from

    saved: list[tuple[logging.Logger, int, Keep]] = []
    for name in _SWALLOWING_LOGGERS:
        logger = logging.getLogger(name)
        keep = Keep(logger.getEffectiveLevel())
        saved.append((logger, logger.level, keep))
        logger.addFilter(keep)
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for logger, level, keep in saved:
            logger.setLevel(level)
            logger.removeFilter(keep)


def _the_reason(swallowed: list[BaseException]) -> BaseException | None:
    """Of the errors MLflow swallowed, the one that says why files failed to download
    (its failure listing), else the first."""
    for exc in swallowed:
        if str(getattr(exc, "message", None) or exc).startswith(DOWNLOAD_FAILURES):
            return exc
    return swallowed[0] if swallowed else None


#: at most this many folders are listed to total a download's size
_LISTING_LIMIT: Final = 1000


def listed_size(uri: str) -> int | None:
    """The bytes of every file under ``uri`` as its artifact store lists them (one listing
    a folder, as MLflow's download walks it), or None when a size is not listed, there are
    no files, the folders are too many, or the listing fails (the download then says why)."""
    try:
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
        from mlflow.tracking.artifact_utils import _get_root_uri_and_artifact_path

        root, path = _get_root_uri_and_artifact_path(uri)  # type: ignore[no-untyped-call]
        repo = get_artifact_repository(root)
        total, pending, listed = 0, [path or None], 0
        while pending:
            listed += 1
            if listed > _LISTING_LIMIT:
                return None
            folder = pending.pop()
            for info in repo.list_artifacts(folder):
                if info.path in (".", folder):
                    continue
                if info.is_dir:
                    pending.append(info.path)
                elif info.file_size is None:
                    return None
                else:
                    total += int(info.file_size)
    except Exception:
        _logger.debug("listing %s for its size failed", uri, exc_info=True)
        return None
    return total or None


@contextlib.contextmanager
def _reporting(folder: Path, progress: Progress | None, uri: str) -> Iterator[None]:
    # MLflow's download has no callback: a thread totals what the store lists, then reports
    # the bytes arrived so far
    if progress is None:
        yield
        return
    done = threading.Event()
    total: int | None = None

    def size() -> int:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    def report() -> None:
        # never a total below what arrived: MLflow writes a file of its own into a models:/
        # download (registered_model_meta), which no listing shows
        arrived = size()
        progress(arrived, None if total is None else max(total, arrived))

    def watch() -> None:
        nonlocal total
        total = listed_size(uri)
        while not done.wait(0.2):
            with contextlib.suppress(OSError):
                report()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        with contextlib.suppress(OSError):
            report()


def fetch(
    uri: str | os.PathLike[str],
    destination: Callable[[ModelUri], Path],
    *,
    progress: Progress | None = None,
    reuse: bool = False,
    check: Callable[[Path], None] | None = None,
) -> tuple[ModelUri, Path, bool]:
    """Resolve ``uri`` and download it atomically into ``destination(pinned_uri)``.

    Returns (the pinned URI, the directory, whether it was downloaded now). With
    ``reuse`` (the cache), a model already there is used as it is; otherwise an existing
    non-empty directory raises :class:`FileExistsError`. ``check`` sees the downloaded
    folder before it takes its name (raising there leaves nothing behind). MLflow errors become a one-line
    :class:`~mlmodel.core.errors.UsageError`.
    """
    from mlmodel.core.fsio import atomic_directory

    parsed = parse_model_uri(uri)
    check_supported(parsed)
    require_tracking()
    try:
        # only runs:/ and models:/ ask the tracking store (MLflow refuses some, such as a file
        # store, as the client is made); a file:// or artifact-store URI is read directly
        client = mlflow_client() if parsed.kind in ("runs", MODELS) else None
        if client is not None:
            parsed = pinned(parsed, client)
        target = destination(parsed)
        if reuse and (target / MLMODEL_NAME).is_file():
            return parsed, target, False
        if reuse and target.exists() and any(target.iterdir()):
            raise UsageError(f"{target}: cache entry is not a model; remove it")
        if client is not None:
            _check_exists(parsed, client)
        try:
            with atomic_directory(target) as staging:
                download(parsed.uri, staging, progress)
                if check is not None:
                    check(staging)
        except FileExistsError:
            if reuse and (target / MLMODEL_NAME).is_file():  # another process was faster
                return parsed, target, False
            raise
    except (UsageError, FileExistsError):
        raise
    except Exception as exc:  # MLflow's client errors: unknown run, version, store down...
        if isinstance(exc, OSError) and exc.filename is not None:  # the target, as given
            raise UsageError(f"{exc.filename}: {exc.strerror or one_line(exc)}") from exc
        if _is_mlflow_error(exc) or isinstance(exc, OSError):
            raise UsageError(f"{os.fspath(uri)}: {one_line(exc)}") from exc
        raise
    return parsed, target, True


def _is_mlflow_error(exc: BaseException) -> bool:
    return any(cls.__module__.startswith("mlflow") for cls in type(exc).__mro__)


def resolve_model_dir(uri_or_path: str | os.PathLike[str]) -> Path:
    """The local model directory (or MLmodel file) that ``uri_or_path`` names.

    A local path (or a ``file://`` URI) is returned as it is. A ``runs:/``, ``models:/`` or
    artifact-store URI is downloaded into the cache (``MLMODEL_CACHE_DIR``, default
    ``~/.cache/mlmodel``) unless it is there already. A malformed URI, an unknown run,
    model or version raise a one-line :class:`~mlmodel.core.errors.UsageError`.

    A fetched folder with no MLmodel file at its root is not a model: a one-line
    :class:`~mlmodel.core.errors.UsageError` naming the URI, and nothing enters the cache (so the
    next call says the same). Nothing else here reads the model: every consumer treats the
    fetched directory as it treats a local one (``mlmodel.pyfunc.load_model`` and
    ``Model.load`` refuse an invalid model with its diagnostics; ``mlmodel validate``/``lint``
    report them; ``mlmodel inspect`` describes it, an unreadable MLmodel reported with its
    diagnostics; ``mlmodel download`` checks before the directory takes its name).
    """
    if not is_model_uri(uri_or_path):
        return Path(uri_or_path)
    parsed = parse_model_uri(uri_or_path)
    if parsed.kind == FILE:
        return Path(str(parsed.path))
    from mlmodel.tracking.cache import cache_entry

    def is_a_model(folder: Path) -> None:
        if not (folder / MLMODEL_NAME).is_file():
            raise UsageError(f"{os.fspath(uri_or_path)}: not a model (no MLmodel file at its root)")

    _, model_dir, _ = fetch(uri_or_path, cache_entry, reuse=True, check=is_a_model)
    return model_dir


__all__ = [
    "fetch",
    "listed_size",
    "mlflow_client",
    "newest_version",
    "one_line",
    "pinned",
    "resolve_model_dir",
]
