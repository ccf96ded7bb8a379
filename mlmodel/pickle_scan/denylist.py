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
  ``runctx``, ``call``, ``pager``) and a dunder hop (``__globals__``, ``__subclasses__``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Final

__all__ = ["DENYLIST", "DenyRule", "danger"]


@dataclass(frozen=True)
class DenyRule:
    """``module`` (and its submodules); every name when ``names`` is None."""

    module: str
    names: frozenset[str] | None
    reason: str

    def matches(self, module: str, name: str) -> bool:
        if module != self.module and not module.startswith(self.module + "."):
            return False
        return self.names is None or name in self.names


def _rule(module: str, names: str | None, reason: str) -> DenyRule:
    return DenyRule(module, None if names is None else frozenset(names.split()), reason)


_BUILTIN_NAMES: Final = (
    "eval exec compile open __import__ getattr setattr delattr globals locals vars input "
    "breakpoint execfile file reload"
)
_NESTED = "loads load Unpickler _loads _load _Unpickler"
_PROCESS = "starts processes"
_NET = "network access"
_FILES = "opens, creates or deletes files"
_CODE = "runs source code or code objects"

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
    _rule("types", "CodeType FunctionType ModuleType", "builds functions from bytecode"),
    _rule("operator", "attrgetter methodcaller call", "reaches any attribute or calls any method"),
    _rule("_operator", "attrgetter methodcaller call", "reaches any attribute or calls any method"),
    _rule("functools", "reduce", "calls any callable over a sequence"),
    _rule("signal", None, "installs signal handlers"),
    _rule("atexit", None, "registers code to run at exit"),
    _rule("gc", None, "reaches every live object (get_objects, get_referrers)"),
    _rule("numpy.testing", None, "runs source code (runstring)"),
    _rule("numpy.f2py", None, "compiles and runs code"),
    _rule("numpy.distutils", None, "runs compilers"),
    _rule("pandas", "eval read_pickle", "evaluates expressions or unpickles files"),
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
    _rule("cloudpickle", _NESTED + " subimport dynamic_subimport", "nested unpickling or imports"),
    _rule("joblib", "load", "nested unpickling of a file"),
    _rule("numpy", "load loads fromfile loadtxt genfromtxt save savez savetxt tofile", _FILES),
    _rule("torch", "load", "nested unpickling of a file"),
    _rule("shelve", None, "nested unpickling of a file"),
    _rule("yaml", "load load_all unsafe_load full_load", "constructs arbitrary Python objects"),
    _rule("jsonpickle", None, "constructs arbitrary Python objects"),
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
    ]
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
    for segment in segments[1:-1]:
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
