"""The CLI reference as Markdown, generated from the typer application's click command tree
(``typer.main.get_command``), so the documentation site cannot drift from the code: every
command, its help, every argument and option with its help, type and default.

The tree is read by duck typing (``list_commands``, ``param_type_name``...): typer 0.28
builds it from its own copy of click (``typer._click``), earlier releases from click.

The site's build hook (``docs/_hooks/generated_pages.py``) writes :func:`cli_reference` to
``reference/cli.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import typer.main

from mlmodel.cli.app import app, register_commands


@dataclass(frozen=True)
class OptionDoc:
    """One parameter of a command as the reference shows it."""

    names: str  #: ``--format, -f`` or ``PATH...``
    kind: str  #: ``option``, ``flag`` or ``argument``
    help: str
    type: str  #: ``text|json``, ``INTEGER``, ``FILE``...; empty for a flag
    default: str  #: as the user types it; empty when there is none
    required: bool


@dataclass(frozen=True)
class CommandDoc:
    """One command as the reference shows it."""

    name: str  #: ``validate``; the root command is ``mlmodel``
    help: str
    params: tuple[OptionDoc, ...]


def root_command() -> Any:
    """The click group of the whole CLI, every command registered."""
    register_commands(None)
    return typer.main.get_command(app)


def commands() -> Iterator[CommandDoc]:
    """The root command (its own options) and then every command, in the order of ``--help``."""
    group = root_command()
    context = group.context_class(group, info_name="mlmodel")
    yield _command_doc("mlmodel", group, context)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        child = command.context_class(command, info_name=name, parent=context)
        yield _command_doc(name, command, child)
        for sub_name in command.list_commands(child) if hasattr(command, "list_commands") else []:
            sub = command.get_command(child, sub_name)
            if sub is not None and not sub.hidden:
                inner = sub.context_class(sub, info_name=sub_name, parent=child)
                yield _command_doc(f"{name} {sub_name}", sub, inner)


def _command_doc(name: str, command: Any, context: Any) -> CommandDoc:
    params = tuple(
        _param_doc(param, context)
        for param in command.params
        if not getattr(param, "hidden", False)
    )
    return CommandDoc(name=name, help=_plain(command.help), params=params)


def _plain(text: str | None) -> str:
    """Help text without rich's markup escapes (``\\[tool.mlmodel]`` is ``[tool.mlmodel]``)."""
    return (text or "").strip().replace("\\[", "[")


def _param_doc(param: Any, context: Any) -> OptionDoc:
    help_text = _plain(getattr(param, "help", None))
    if param.param_type_name == "option":
        names = ", ".join(param.opts)
        if param.secondary_opts:
            names += " / " + ", ".join(param.secondary_opts)
        flag = param.is_flag and not param.count
        return OptionDoc(
            names=names,
            kind="flag" if flag else "option",
            help=help_text,
            type="" if flag else _type_name(param, context),
            default=_default(param, flag),
            required=param.required,
        )
    return OptionDoc(
        names=param.make_metavar(context),
        kind="argument",
        help=help_text,
        type=_type_name(param, context),
        default="",
        required=param.required,
    )


def _type_name(param: Any, context: Any) -> str:
    choices = getattr(param.type, "choices", None)
    if choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in choices)
    metavar = getattr(param, "metavar", None)
    if param.param_type_name == "option" and metavar:
        return str(metavar)
    return str(param.type.name).upper()


def _default(param: Any, flag: bool) -> str:
    if not param.show_default and param.show_default is not None:
        return ""
    value = param.default
    if callable(value) or value is None or value == () or value == []:
        return ""
    if flag:
        if param.secondary_opts:
            return str(param.opts[0] if value else param.secondary_opts[0])
        return "on" if value else ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def _prose(text: str) -> str:
    """Help text as Markdown prose: ``<name>`` shown, not read as an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """A table cell of prose: one line, pipes escaped."""
    return _prose(_code_cell(text)).replace("|", "\\|")


def _code_cell(text: str) -> str:
    """A table cell inside backticks: one line (a code span keeps its pipes in a table)."""
    return " ".join(text.split())


def command_markdown(command: CommandDoc) -> str:
    """One command's section: its usage, its help and a table of its parameters."""
    title = "mlmodel" if command.name == "mlmodel" else f"mlmodel {command.name}"
    lines = [f"## `{title}`", ""]
    if command.help:
        lines += [_prose(command.help), ""]
    if command.params:
        lines += ["| parameter | type | default | description |", "|---|---|---|---|"]
        for param in command.params:
            names = f"`{param.names}`" + (" (required)" if param.required else "")
            kind = param.type if param.kind != "flag" else "flag"
            kind_cell = f"`{_code_cell(kind)}`" if kind else ""
            default = f"`{_code_cell(param.default)}`" if param.default else ""
            lines.append(f"| {names} | {kind_cell} | {default} | {_cell(param.help)} |")
        lines.append("")
    return "\n".join(lines)


def cli_reference() -> str:
    """The whole CLI reference page."""
    parts = [
        "# CLI reference",
        "",
        (
            "Generated from the command line itself (`mlmodel.cli.reference`) every time the "
            "site is built; `mlmodel COMMAND --help` (or `-h`) prints the same text."
        ),
        "",
    ]
    parts.extend(command_markdown(command) for command in commands())
    return "\n".join(parts).rstrip() + "\n"
