"""The denylist: callables that let a pickle run code or touch the system.

Two layers, both checked for every import (and every suffix of a dotted attribute path):

* :data:`DENYLIST`, explicit rules per module (``os`` and every name in it, ``pydoc``,
  ``cProfile.run``...), the list reviewers read;
* classes of gadgets, so that a new spelling of a known trick is caught without a new rule:
  a *module-private alias* of a dangerous module (``tempfile._os.system``,
  ``threading._os``: any path segment that is ``os``, ``_os``, ``subprocess``, ``_sys``...),
  a private module or function of the standard library (``_osx_support``, ``_pyio``,
  ``uuid._get_command_stdout``, ``platform._syscmd_file``) outside the few the pickle
  protocol itself uses (``copyreg._reconstructor``, ``_codecs.encode``...), a callable that
  *resolves names* (``resolve_name``, ``locate``, ``getattr``, ``attrgetter``,
  ``import_module``, ``instantiate``), a *file opener* (any ``open``, ``FileIO``,
  ``GzipFile``, ``FileHandler``, ``NamedTemporaryFile``...), a *code runner* (``eval``,
  ``exec``, ``system``, ``Popen``, ``check_output``; in the standard library also ``run``,
  ``runctx``, ``call``, ``pager``), a *nested loader* (any ``loads``, ``Unpickler``,
  ``load_model``, ``read_pickle``, ``from_pretrained``: they deserialise whatever they are
  given, outside the scan) and a dunder hop (``__globals__``, ``__subclasses__``).

A rule's names may be ``fnmatch`` patterns on the (dotted) name: ``*.to_csv`` is
``DataFrame.to_csv``, ``fetch_*`` every downloader. The denylist only *explains*: what loads
without trust is decided by the exact allowlist (:mod:`.allowlist`), and no allowlisted
name matches the denylist (``tests/security/test_pickle_scan.py`` checks it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

__all__ = ["DENYLIST", "DenyRule", "danger"]


@dataclass(frozen=True)
class DenyRule:
    """``module`` (and its submodules); every name when ``names`` is None, else the exact
    ``names`` and the names matching one of ``patterns`` (``fnmatch``: ``*.to_csv``)."""

    module: str
    names: frozenset[str] | None
    reason: str
    patterns: tuple[str, ...] = ()

    def matches(self, module: str, name: str) -> bool:
        if module != self.module and not module.startswith(self.module + "."):
            return False
        if self.names is None or name in self.names:
            return True
        return any(fnmatchcase(name, pattern) for pattern in self.patterns)


def _rule(module: str, names: str | None, reason: str) -> DenyRule:
    """A rule; ``names`` is a space-separated list where a word with ``*`` is a pattern."""
    if names is None:
        return DenyRule(module, None, reason)
    words = names.split()
    exact = frozenset(w for w in words if "*" not in w)
    return DenyRule(module, exact, reason, tuple(w for w in words if "*" in w))


_BUILTIN_NAMES: Final = (
    "eval exec compile open __import__ getattr setattr delattr globals locals vars input "
    "breakpoint execfile file reload"
)
_NESTED = "loads load Unpickler _loads _load _Unpickler"
_PROCESS = "starts processes"
_NET = "network access"
_FILES = "opens, creates or deletes files"
_CODE = "runs source code or code objects"
_MODEL = "loads another model: unpickles its files and runs its loader's code"
_PANDAS_WRITERS = (
    "to_pickle to_csv to_parquet to_feather to_hdf to_excel to_json to_sql to_stata to_html "
    "to_latex to_markdown to_orc to_xml to_clipboard to_gbq"
)

#: callables that let a pickle run code or touch the system, by module
DENYLIST: Final[tuple[DenyRule, ...]] = (
    # processes
    _rule("os", None, "operating system access: processes (system, popen, exec*), files"),
    _rule("posix", None, "os internals: processes and files"),
    _rule("nt", None, "os internals (Windows): processes and files"),
    _rule("subprocess", None, _PROCESS),
    _rule("_posixsubprocess", None, "starts processes (fork_exec)"),
    _rule("commands", None, "Python 2 subprocess: starts processes"),
    _rule("popen2", None, "Python 2: starts processes"),
    _rule("pipes", None, "runs shell pipelines"),
    _rule("asyncio", None, "event loop: starts processes, opens connections"),
    _rule("pty", None, "spawns processes on a terminal"),
    _rule("multiprocessing", None, "starts processes, runs callables"),
    _rule("concurrent", None, "runs callables in threads or processes"),
    _rule("_osx_support", None, "runs compiler commands (_read_output, _find_build_tool)"),
    _rule("platform", "popen _syscmd_file _syscmd_ver _syscmd_uname", _PROCESS),
    _rule("uuid", "_get_command_stdout _popen _find_mac _ifconfig_getnode", _PROCESS),
    _rule("webbrowser", None, "opens URLs, starts a browser"),
    # interpreter, code and name resolution
    _rule(
        "builtins",
        _BUILTIN_NAMES,
        "runs code, imports modules, opens files or reaches "
        "any attribute (getattr chains reach __globals__ and os.system)",
    ),
    _rule("__builtin__", _BUILTIN_NAMES, "Python 2 builtins: runs code, imports, opens files"),
    _rule("sys", None, "interpreter internals (sys.modules, settrace, exit)"),
    _rule("importlib", None, "imports arbitrary modules"),
    _rule("imp", None, "imports arbitrary modules"),
    _rule("zipimport", None, "imports modules from archives"),
    _rule("pkgutil", None, "resolves and imports names (resolve_name, get_data)"),
    _rule("pydoc", None, "resolves names (locate) and runs pagers (pipepager)"),
    _rule("inspect", None, "reaches any attribute (getattr_static), reads sources"),
    _rule("runpy", None, "runs modules and scripts"),
    _rule("code", None, "interactive interpreter: runs source code"),
    _rule("codeop", None, "compiles source code"),
    _rule("timeit", None, _CODE),
    _rule("cProfile", None, "runs source code (run, runctx)"),
    _rule("profile", None, "runs source code (run, runctx)"),
    _rule("trace", None, _CODE),
    _rule("pdb", None, "debugger: runs source code"),
    _rule("bdb", None, "debugger: runs source code"),
    _rule("doctest", None, "runs source code in docstrings"),
    _rule("idlelib", None, "runs source code"),
    _rule("site", None, "changes the import path, runs .pth files"),
    _rule("ctypes", None, "calls native code, writes memory"),
    _rule("_ctypes", None, "calls native code, writes memory"),
    _rule("marshal", None, "loads code objects"),
    _rule(
        "types",
        "CodeType FunctionType LambdaType MethodType ModuleType",
        "builds functions from bytecode or binds any callable",
    ),
    _rule("operator", "attrgetter methodcaller call", "reaches any attribute or calls any method"),
    _rule("_operator", "attrgetter methodcaller call", "reaches any attribute or calls any method"),
    _rule("functools", "reduce", "calls any callable over a sequence"),
    # functools.partial is on the allowlist as a wrapper: it calls only what it holds, and
    # that must be allowed too (a partial of a denied callable is reported for the callable)
    _rule("functools", "partialmethod", "wraps any callable, with its arguments, for a call"),
    _rule("six", "exec_ exec execfile", "runs source code (six.exec_ is exec)"),
    _rule(
        "six.moves",
        None,
        "lazy aliases of builtins, cPickle, urllib, getoutput...: runs code, unpickles, "
        "opens connections",
    ),
    _rule("typing", "get_type_hints *._evaluate", "evaluates annotation strings (eval)"),
    _rule("numexpr", "evaluate re_evaluate", "evaluates expressions (eval)"),
    _rule("sympy", "sympify parse_expr", "evaluates strings as Python (eval)"),
    _rule(
        "numpy",
        "_ufunc_reconstruct *._ufunc_reconstruct",
        "imports any module attribute its arguments name",
    ),
    _rule("numpy.ctypeslib", None, "loads native libraries (load_library), reaches raw memory"),
    _rule("signal", None, "installs signal handlers"),
    _rule("atexit", None, "registers code to run at exit"),
    _rule("gc", None, "reaches every live object (get_objects, get_referrers)"),
    _rule("numpy.testing", None, "runs source code (runstring)"),
    _rule("numpy.f2py", None, "compiles and runs code"),
    _rule("numpy.distutils", None, "runs compilers"),
    _rule("pandas", "eval read_pickle", "evaluates expressions or unpickles files"),
    _rule("pandas.compat.pickle_compat", None, "nested unpickling (pandas' compatibility loader)"),
    _rule("pandas.io.pickle", None, "nested unpickling of a file"),
    _rule("pandas", "read_* *.read_*", "reads files or URLs"),
    _rule(
        "pandas",
        _PANDAS_WRITERS + " " + " ".join(f"*.{w}" for w in _PANDAS_WRITERS.split()),
        "writes files (to_clipboard runs a subprocess)",
    ),
    _rule("pandas.core.computation", None, "evaluates expressions"),
    _rule("hydra", "instantiate call get_method get_class get_object", "resolves names"),
    _rule("setuptools", None, "runs builds and commands"),
    _rule("distutils", None, "runs builds and commands"),
    _rule("pip", None, "installs packages"),
    _rule("ensurepip", None, "installs packages"),
    _rule("venv", None, "creates environments, runs commands"),
    # nested deserialisation
    _rule("pickle", _NESTED, "nested unpickling"),
    _rule("_pickle", _NESTED, "nested unpickling"),
    _rule("dill", _NESTED, "nested unpickling"),
    _rule(
        "cloudpickle",
        _NESTED + " subimport dynamic_subimport _builtin_type _make_function _make_skel_func",
        "nested unpickling, imports, or builds code objects and functions",
    ),
    _rule("pyspark.cloudpickle", None, "nested unpickling, imports, or builds code (cloudpickle)"),
    _rule("pyspark.serializers", None, "nested unpickling (Spark's pickle serializers)"),
    _rule(
        "dill",
        _NESTED + " _create_code _create_function _load_type _import_module _get_attr",
        "nested unpickling, imports, or builds code objects and functions",
    ),
    _rule("rich.style", "loads", "marshal.loads under another name: loads code objects"),
    _rule("joblib.numpy_pickle_utils", None, "nested unpickling (joblib's Unpickler)"),
    _rule("joblib", "load *load *Unpickler", "nested unpickling of a file"),
    _rule("joblib", "dump *dump Memory MemorizedFunc", "writes files"),
    _rule(
        "joblib", "Parallel delayed parallel_backend parallel_config", "runs callables in processes"
    ),
    _rule("numpy.lib.format", None, "reads and writes .npy files (read_array unpickles)"),
    _rule("numpy.lib._format_impl", None, "reads and writes .npy files (read_array unpickles)"),
    _rule("numpy.lib.npyio", None, "reads and writes files (load unpickles object arrays)"),
    _rule("numpy.lib._npyio_impl", None, "reads and writes files (load unpickles object arrays)"),
    _rule("numpy.lib._datasource", None, "opens files and URLs"),
    _rule("numpy.core.memmap", None, "maps files into memory, creates them"),
    _rule("numpy._core.memmap", None, "maps files into memory, creates them"),
    _rule(
        "numpy",
        "load loads fromfile loadtxt genfromtxt fromregex save savez savez_compressed savetxt "
        "tofile memmap open_memmap DataSource *.tofile *.dump",
        "reads, writes or maps files (load unpickles object arrays)",
    ),
    _rule("torch.hub", None, "downloads and runs code from repositories (hubconf.py)"),
    _rule("torch", "load", "nested unpickling of a file"),
    _rule("shelve", None, "nested unpickling of a file"),
    _rule(
        "yaml",
        "load load_all unsafe_load unsafe_load_all full_load full_load_all Loader FullLoader "
        "UnsafeLoader CLoader CFullLoader CUnsafeLoader Constructor FullConstructor "
        "UnsafeConstructor",
        "constructs arbitrary Python objects",
    ),
    _rule("jsonpickle", None, "constructs arbitrary Python objects"),
    # other models: loading one unpickles its files and runs its loader
    _rule(
        "mlflow",
        "load_model _load_model load_pyfunc _load_pyfunc *.load_model *._load_pyfunc "
        "*.load_pyfunc spark_udf *.spark_udf",
        _MODEL,
    ),
    _rule("mlflow.artifacts", None, "downloads artifacts and writes them to disk"),
    _rule("mlflow.utils.process", None, _PROCESS),
    _rule("mlmodel.runtime", None, "mlmodel's loaders: " + _MODEL),
    _rule("mlmodel.runtime.gate", None, "mlmodel's loaders: " + _MODEL),
    _rule("mlmodel.serve", None, "starts a model server (network)"),
    _rule("mlmodel.core.fsio", None, "writes, replaces and deletes files"),
    _rule("mlmodel", "load_model load_trusted *.load_model *.load_trusted", _MODEL),
    _rule("mlmodel", "save_model log_model *.save_model *.log_model", "writes a model to disk"),
    # files
    _rule("shutil", None, "copies, moves and deletes files"),
    _rule("io", "open open_code FileIO", "opens files"),
    _rule("_io", None, "opens files"),
    _rule("_pyio", None, "opens files (the pure-Python io)"),
    _rule("codecs", "open EncodedFile", "opens files"),
    _rule("tempfile", None, "creates files (and reaches os through tempfile._os)"),
    _rule("gzip", "open GzipFile", _FILES),
    _rule("bz2", "open BZ2File", _FILES),
    _rule("lzma", "open LZMAFile", _FILES),
    _rule("tarfile", None, "opens and extracts archives"),
    _rule("zipfile", None, "opens and extracts archives"),
    _rule("fileinput", None, "opens files"),
    _rule("dbm", None, "opens database files"),
    _rule("sqlite3", None, "opens database files"),
    _rule("mmap", None, "maps files into memory"),
    _rule("glob", None, "lists files"),
    _rule("logging", "FileHandler basicConfig", "creates and writes files"),
    _rule("logging.handlers", None, "writes files, sockets, mail, syslog"),
    _rule("logging.config", None, "listens on a socket, configures from files (runs code)"),
    _rule(
        "pathlib",
        "*.write_text *.write_bytes *.touch *.symlink_to *.hardlink_to *.link_to *.mkdir "
        "*.unlink *.rmdir *.rename *.replace *.chmod *.lchmod *.open",
        "opens, creates, renames or deletes files",
    ),
    _rule("pathlib", "*.read_text *.read_bytes", "reads files"),
    _rule("scipy.io", None, "reads and writes files (savemat, mmwrite, wavfile.write, netcdf)"),
    _rule("sklearn.datasets", "dump_svmlight_file", "writes files"),
    _rule("sklearn.datasets", "fetch_*", "downloads data (network) and writes it to disk"),
    _rule("sklearn.datasets", "clear_data_home", "deletes a folder"),
    _rule(
        "sklearn.datasets",
        "get_data_home load_svmlight_file load_svmlight_files load_files",
        "reads files or creates folders",
    ),
    # network
    _rule("socket", None, _NET),
    _rule("_socket", None, _NET),
    _rule("ssl", None, _NET),
    _rule("socketserver", None, _NET),
    _rule("urllib", None, _NET),
    _rule("urllib2", None, _NET),
    _rule("requests", None, _NET),
    _rule("httpx", None, _NET),
    _rule("http", None, _NET),
    _rule("httplib", None, _NET),
    _rule("xmlrpc", None, _NET),
    _rule("ftplib", None, _NET),
    _rule("smtplib", None, "network access (sends mail)"),
    _rule("imaplib", None, _NET),
    _rule("poplib", None, _NET),
    _rule("nntplib", None, _NET),
    _rule("telnetlib", None, _NET),
)

#: attributes that lead from any object to globals, classes or code
DUNDER_HOPS: Final = frozenset(
    [
        "__globals__",
        "__builtins__",
        "__subclasses__",
        "__code__",
        "__class__",
        "__base__",
        "__bases__",
        "__mro__",
        "__dict__",
        "__getattribute__",
        "__getattr__",
        "__import__",
        "__loader__",
        "__spec__",
        "__closure__",
        "__func__",
        "__self__",
        "__reduce__",
        "__reduce_ex__",
        "__init_subclass__",
        "__call__",
        "__getitem__",
        "__module__",
        "__wrapped__",
    ]
)

#: a path segment with one of these names (leading underscores stripped) reaches a dangerous
#: module: ``tempfile._os.system``, ``threading._os``, ``shutil.os``, ``ntpath._sys``
PRIVATE_ALIASES: Final = frozenset(
    [
        "os",
        "posix",
        "nt",
        "subprocess",
        "posixsubprocess",
        "sys",
        "builtins",
        "builtin",
        "shutil",
        "socket",
        "importlib",
        "pickle",
        "marshal",
        "ctypes",
        "pty",
        "runpy",
        "pyio",
        "osx_support",
    ]
)

#: real modules with a segment that looks like an alias: ``numpy.random._pickle`` holds
#: numpy's random-state reconstructors (it is not :mod:`pickle`)
REAL_MODULES: Final = frozenset(["numpy.random._pickle"])

#: callables that resolve a name to any object (the gadget behind every getattr chain)
NAME_RESOLVERS: Final = frozenset(
    [
        "resolve_name",
        "locate",
        "_locate",
        "getattr",
        "attrgetter",
        "methodcaller",
        "__import__",
        "import_module",
        "find_class",
        "import_string",
        "getattr_static",
        "_getattribute",
        "instantiate",
        "get_method",
        "get_class",
        "load_object",
        "_ufunc_reconstruct",
        "_builtin_type",
        "_import_module",
        "_get_attr",
    ]
)

#: callables that open, create or map files, in any module
FILE_OPENERS: Final = frozenset(
    [
        "open",
        "fdopen",
        "open_code",
        "FileIO",
        "FileHandler",
        "RotatingFileHandler",
        "TimedRotatingFileHandler",
        "WatchedFileHandler",
        "GzipFile",
        "BZ2File",
        "LZMAFile",
        "TarFile",
        "ZipFile",
        "urlopen",
        "urlretrieve",
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "TemporaryDirectory",
        "write_text",
        "write_bytes",
        "touch",
        "unlink",
        "rmdir",
        "rmtree",
        "tofile",
        "symlink_to",
        "hardlink_to",
        "mkdir",
        "makedirs",
        "save",
        "savez",
        "savez_compressed",
        "savetxt",
        "savemat",
        "mmwrite",
        "dump",
        "dump_svmlight_file",
        "memmap",
        "open_memmap",
        "to_pickle",
        "to_csv",
        "to_parquet",
        "to_hdf",
        "to_feather",
    ]
)

#: callables that deserialise what they are given, in any module: nested loading the scan
#: cannot see (``rich.style.loads`` is ``marshal.loads``, ``keras.models.load_model`` runs
#: a model's code, ``from_pretrained`` downloads and unpickles)
NESTED_LOADERS: Final = frozenset(
    [
        "load",
        "loads",
        "load_all",
        "unsafe_load",
        "unsafe_load_all",
        "full_load",
        "full_load_all",
        "Unpickler",
        "_Unpickler",
        "NumpyUnpickler",
        "read_pickle",
        "read_array",
        "load_model",
        "_load_model",
        "load_pyfunc",
        "_load_pyfunc",
        "load_learner",
        "from_pretrained",
        "load_library",
        "LoadLibrary",
    ]
)

#: modules whose ``load``/``loads`` read plain data (JSON, TOML, plists, msgpack)
PLAIN_DATA_LOADERS: Final = frozenset(
    ["json", "simplejson", "orjson", "ujson", "tomllib", "tomli", "toml", "plistlib", "msgpack"]
)

#: callables that run code or commands, in any module
CODE_RUNNERS: Final = frozenset(
    [
        "eval",
        "exec",
        "execfile",
        "compile",
        "system",
        "popen",
        "Popen",
        "spawn",
        "spawnl",
        "spawnv",
        "spawnve",
        "spawnvp",
        "execl",
        "execle",
        "execlp",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "check_call",
        "check_output",
        "getoutput",
        "getstatusoutput",
        "startfile",
        "runstring",
        "run_path",
        "run_module",
        "pipepager",
        "tempfilepager",
        "_get_command_stdout",
        "_syscmd_file",
    ]
)

#: more names that run code when the module is in the standard library (``cProfile.run``)
STDLIB_CODE_RUNNERS: Final = frozenset(["run", "runctx", "runcall", "call", "pager", "getpager"])

#: private names of the standard library the pickle protocol itself (or numpy, scipy and
#: scikit-learn pickles) use: everything else private in the standard library is a gadget
STDLIB_PRIVATE_OK: Final = frozenset(
    [
        "copyreg._reconstructor",
        "copy_reg._reconstructor",
        "copyreg.__newobj__",
        "copyreg.__newobj_ex__",
        "_codecs.encode",
        "re._compile",
        "array._array_reconstructor",
        "collections._tuplegetter",
        "functools._lru_cache_wrapper",
        "datetime._create_timezone",
        "_datetime.datetime",
        "_datetime.date",
        "_datetime.time",
        "_datetime.timedelta",
        "_datetime.timezone",
        "_decimal.Decimal",
        "_struct.Struct",
        "_collections.OrderedDict",
        "_collections.deque",
        "_collections.defaultdict",
        "_collections_abc.dict_keys",
        "_collections_abc.dict_values",
        "_collections_abc.dict_items",
    ]
)

_STDLIB: Final = frozenset(sys.stdlib_module_names) | {"__builtin__", "copy_reg", "commands"}


def _rules(module: str, name: str) -> str | None:
    for rule in DENYLIST:
        if rule.matches(module, name):
            return rule.reason
    return None


def _classes(module: str, name: str) -> str | None:
    """Why ``module.name`` belongs to a class of gadgets, or None."""
    segments = module.split(".") + name.split(".")
    # a real module whose name looks like an alias: only its attribute path can hop
    inner = name.split(".")[:-1] if module in REAL_MODULES else segments[1:-1]
    for segment in inner:
        if segment in DUNDER_HOPS:
            return f"attribute path through {segment} (reaches globals, classes or code)"
        if segment.lstrip("_") in PRIVATE_ALIASES:
            return f"reaches the {segment.lstrip('_')} module through the attribute alias {segment}"
    last = segments[-1]
    if last in DUNDER_HOPS:
        return f"attribute {last} (reaches globals, classes or code)"
    root = segments[0]
    stdlib = root in _STDLIB
    if last in NAME_RESOLVERS:
        return "resolves any name to an object (reaches os.system)"
    if last in FILE_OPENERS:
        return "opens, creates or deletes files"
    if last in NESTED_LOADERS and root not in PLAIN_DATA_LOADERS:
        return "deserialises what it is given (nested loading the scan cannot see)"
    if last in CODE_RUNNERS or (stdlib and last in STDLIB_CODE_RUNNERS):
        return "runs code or commands"
    if stdlib and f"{module}.{name}" not in STDLIB_PRIVATE_OK:
        if root.startswith("_") and root not in ("__builtin__", "__main__"):
            return f"a private standard-library module ({root})"
        if any(s.startswith("_") and not s.startswith("__") for s in segments[1:]):
            return "a private standard-library function (internal helpers reach os and files)"
    return None


def danger(module: str, name: str) -> str | None:
    """Why importing ``module.name`` lets a pickle run code or touch the system, or None.

    From protocol 4 a dotted ``name`` is an attribute path (``pathlib`` + ``os.system`` is
    ``os.system``): every suffix of it is checked against the rules as well.
    """
    reason = _rules(module, name) or _classes(module, name)
    if reason is not None:
        return reason
    parts = name.split(".")
    for i in range(len(parts) - 1):
        via = ".".join(parts[i:-1])
        found = _rules(via, parts[-1])
        if found is not None:
            return f"{found} (reached as attribute {module}.{name})"
    return None
