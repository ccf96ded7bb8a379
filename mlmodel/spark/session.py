"""The Spark session of ``mlmodel predict --engine spark``: Java found before it starts,
bound to 127.0.0.1, and quiet.

Quiet means Spark's own logging off: the driver JVM gets a log4j2 configuration (written to a
temporary folder, passed with ``-Dlog4j.configurationFile``) whose root level is ``OFF``, so
neither its warnings nor the stack traces it logs for a failed task reach the terminal; the
launcher's "Using Spark's default log4j profile" and "Setting default log level" lines,
printed only with Spark's default profile, go too, and so do the console progress bar and
Python warnings of the workers. The command still reports a failure, in one line of its own.
``verbose`` keeps Spark's defaults (its log at WARN, the progress bar).
"""

from __future__ import annotations

import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import MissingDependencyError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import SparkSession

#: what Spark's JVM needs (pyspark 4 is built for Java 17)
JAVA: Final = "Java 17"
JAVA_MAJOR: Final = 17

#: log4j2 configuration of a quiet driver: nothing logged, log4j's own status silent too
QUIET_LOG4J2: Final = """\
status = off
rootLogger.level = off
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""

#: session settings for a batch job on this machine: no UI server; few shuffle partitions
#: (scoring does not shuffle; a sort or join a caller adds stays small); the driver and
#: executors on loopback
SETTINGS: Final = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "8",
}
QUIET_SETTINGS: Final = {
    "spark.ui.showConsoleProgress": "false",
    "spark.executorEnv.PYTHONWARNINGS": "ignore",
}


def java_missing(detail: str) -> MissingDependencyError:
    """The error for a JVM that cannot start: names Java 17 and JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    where = f"JAVA_HOME is {home}" if home else "JAVA_HOME is not set"
    return MissingDependencyError(
        f"Spark needs {JAVA} (or newer) to start its driver: {detail} ({where}). Install a "
        f"{JAVA} runtime and set JAVA_HOME to it, or put its java on PATH",
        package=JAVA,
    )


def _java_version(java: Path) -> str | None:
    """``JAVA_VERSION`` from the ``release`` file of the runtime ``java`` belongs to
    (None when there is none to read: then Spark's start is the judge)."""
    release = java.resolve().parent.parent / "release"
    try:
        text = release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "JAVA_VERSION":
            return value.strip().strip('"')
    return None


def _major(version: str) -> int | None:
    head = version.split(".")[0].split("-")[0].split("+")[0]
    if head == "1":  # 1.8.0_382: Java 8
        parts = version.split(".")
        head = parts[1] if len(parts) > 1 else head
    return int(head) if head.isdigit() else None


def require_java() -> None:
    """Raise :func:`java_missing` unless Spark's launcher will find a ``java`` to run
    (``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else ``java`` on PATH, as
    ``spark-class`` looks for it) of version 17 or newer, as far as its runtime's
    ``release`` file tells; no JVM is started."""
    import shutil

    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not (java.is_file() and os.access(java, os.X_OK)):
            raise java_missing(f"{java} is not an executable")
    else:
        found = shutil.which("java")
        if found is None:
            raise java_missing("no java on PATH")
        java = Path(found)
    version = _java_version(java)
    major = _major(version) if version else None
    if major is not None and major < JAVA_MAJOR:
        raise java_missing(f"{java} is Java {version}")


def needs_java(master: str) -> bool:
    """Whether a session on ``master`` starts a JVM here (Spark Connect does not)."""
    return not master.startswith("sc://")


def _quiet_folder() -> Path:
    """A temporary folder for the quiet session's log configuration and the JVM's
    captured output, removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mlmodel-spark-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "log4j2.properties").write_text(QUIET_LOG4J2, encoding="utf-8")
    return folder


@contextmanager
def local_session(master: str, *, verbose: bool = False) -> Iterator[SparkSession]:
    """A Spark session for one command (see the module's docstring); stopped at the end
    unless it was already running (then it is the caller's, and its logging too)."""
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is None and master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # local workers run this interpreter (where mlmodel is installed), not whatever
        # "python3" the PATH finds first
        os.environ["PYSPARK_PYTHON"] = sys.executable
    if running is None and needs_java(master):
        require_java()  # Spark's driver is a JVM, started here
    with warnings.catch_warnings():
        if not verbose:  # pyspark's own (its pandas version notes) on this, the driver
            warnings.simplefilter("ignore")
        spark = running or _start(master, verbose=verbose)
        try:
            yield spark
        finally:
            if running is None:
                spark.stop()


def _start(master: str, *, verbose: bool) -> SparkSession:
    from pyspark import SparkConf, SparkContext
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    settings = dict(SETTINGS)
    if not verbose:
        settings.update(QUIET_SETTINGS)
    conf = SparkConf().setMaster(master).setAppName("mlmodel predict")
    quiet_jvm = not verbose and needs_java(master) and SparkContext._gateway is None
    folder = _quiet_folder() if quiet_jvm else None
    if folder is not None:
        option = f"-Dlog4j.configurationFile=file:{folder / 'log4j2.properties'}"
        settings["spark.driver.extraJavaOptions"] = option
    conf.setAll(list(settings.items()))
    try:
        if folder is not None:
            _launch_quiet(conf, folder / "jvm.log")
        return SparkSession.builder.config(conf=conf).getOrCreate()
    except PySparkRuntimeError as exc:
        if condition_of(exc) == "JAVA_GATEWAY_EXITED":  # no Java, or one too old for Spark
            said = _last_line(folder / "jvm.log") if folder is not None else None
            detail = f": {said}" if said else ""
            raise java_missing(f"the Java gateway exited before it started{detail}") from exc
        raise


def _launch_quiet(conf: Any, log: Path) -> None:
    """Start the driver JVM with its standard error in ``log`` (the JVM's own warnings, and
    what local Python workers print): nothing of Spark reaches the terminal."""
    from pyspark import SparkContext
    from pyspark.java_gateway import launch_gateway

    launch: Any = launch_gateway  # untyped in pyspark
    with log.open("ab") as handle:  # the JVM keeps its own descriptor
        gateway = launch(conf, popen_kwargs={"stderr": handle})
    SparkContext(conf=conf, gateway=gateway)


def _last_line(log: Path) -> str | None:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    said = [line.strip() for line in lines if line.strip()]
    return said[-1][:300] if said else None


def condition_of(exc: BaseException) -> str | None:
    """The error condition (class) of a PySpark exception, if it has one."""
    getter = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    condition = getter() if getter is not None else None
    return condition if isinstance(condition, str) else None
