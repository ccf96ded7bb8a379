"""Human output of ``mlmodel inspect``: tables and a tree of the flavors' settings (rich)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from mlmodel.report.console import make_console
from mlmodel.report.text import escape_control

if TYPE_CHECKING:
    from rich.console import Console

    from mlmodel.checking.inspection import Inspection, PickleInfo
    from mlmodel.report import ReportOptions


def escape(text: str) -> str:
    """Text from the model made safe to print: control characters escaped, then rich markup."""
    from rich.markup import escape as escape_markup

    return escape_markup(escape_control(text))


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _settings_tree(console: Console, result: Inspection) -> None:
    from rich.tree import Tree

    tree = Tree("[bold]flavors[/bold]")
    if not result.flavors:
        tree.add("(none)")
    for flavor in result.flavors:
        branch = tree.add(f"[bold]{escape(flavor.name)}[/bold]")
        _add(branch, flavor.settings)
    console.print(tree)


def _nested_trees(console: Console, nested: dict[str, Any]) -> None:
    """A header field holding a mapping or a list (``metadata``, ``resources``...) as a tree."""
    from rich.tree import Tree

    for key, value in nested.items():
        tree = Tree(f"[bold]{escape(key)}[/bold]")
        _add(tree, value)
        console.print(tree)


def _add(branch: Any, value: Any) -> None:

    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                _add(branch.add(escape(str(key))), item)
            else:
                branch.add(f"{escape(str(key))}: {escape(_show(item))}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                _add(branch.add("-"), item)
            else:
                branch.add(f"- {escape(_show(item))}")
    else:
        branch.add(escape(_show(value)))


def write_inspection(result: Inspection, stream: TextIO, options: ReportOptions) -> None:
    from rich.table import Table

    console = make_console(stream, color=options.color, soft_wrap=False)
    console.print(f"[bold]{escape(result.path)}[/bold]")

    header = Table(title="header", show_header=False, title_justify="left")
    header.add_column("field")
    header.add_column("value", overflow="fold")
    nested = {}
    for key, value in result.header.items():
        if isinstance(value, dict | list) and value:
            nested[key] = value  # metadata, resources, ...: a tree each, after the table
            header.add_row(escape(key), "(below)")
        else:
            header.add_row(escape(key), escape(_show(value)))
    console.print(header)
    _nested_trees(console, nested)

    _settings_tree(console, result)

    if result.signature is None:
        console.print("signature: none")
    else:
        table = Table(title="signature", title_justify="left")
        for column in ("section", "name", "type", "required", "shape", "default"):
            table.add_column(column, overflow="fold")
        for f in result.signature.fields:
            table.add_row(
                f.section,
                escape(_show(f.name)),
                escape(f.type),
                _show(f.required),
                escape(_show(f.shape)),
                escape(_show(f.default)),
            )
        console.print(table)
        for error in result.signature.errors:
            console.print(f"  signature problem: {escape(error)}")

    example = result.input_example
    if example is None:
        console.print("input example: none")
    else:
        console.print(
            f"input example: type {escape(_show(example.type))}, "
            f"files {escape(', '.join(example.files) or '-')}"
        )
        if example.preview is not None:
            console.print(f"  preview: {escape(example.preview)}")
        if example.error:
            console.print(f"  problem: {escape(example.error)}")

    if result.files is None:
        console.print("files: none listed: no model directory (an MLmodel read from stdin)")
    else:
        files = Table(title="files", title_justify="left")
        files.add_column("path", overflow="fold")
        files.add_column("size", justify="right")
        for entry in result.files:
            name = entry.path
            if entry.symlink:
                name += f" -> {entry.target}" + (
                    " (outside the model directory)" if entry.outside else ""
                )
            files.add_row(escape(name), _show(entry.size))
        console.print(files)
        if result.files_truncated:
            console.print("  (listing truncated)")

    env = result.environment
    console.print("[bold]environment[/bold]")
    console.print(f"  python_version (MLmodel): {escape(_show(env.python_version))}")
    console.print(f"  python (python_env.yaml): {escape(_show(env.python_env_python))}")
    console.print(f"  python (conda.yaml): {escape(_show(env.conda_python))}")
    if result.model_dir is None:
        console.print("  requirements.txt: not read: no model directory")
    elif env.requirements is None:
        console.print("  requirements.txt: none")
    else:
        console.print("  requirements.txt:")
        for line in env.requirements:
            console.print(f"    {escape(line)}")
    for error in env.errors:
        console.print(f"  problem: {escape(error)}")

    pickles = result.pickles
    console.print("[bold]pickles[/bold]")
    if not pickles.available:
        names = ", ".join(item.path for item in pickles.pickles)
        console.print(f"  {pickles.message}" + (f" (pickles: {escape(names)})" if names else ""))
        return
    if not pickles.pickles:
        console.print("  none")
    for item in pickles.pickles:
        if item.error and not item.imports:
            console.print(f"  {escape(item.path)}: {escape(item.error)}")
            if item.loads_by_default is not None:
                console.print(f"    verdict: {_verdict(item)}")
            continue
        flag = " [red]DANGEROUS[/red]" if item.dangerous else ""
        console.print(f"  {escape(item.path)}:{flag} imports {len(item.imports)} name(s)")
        outside = set(item.needs_trust)
        for name in item.imports:
            mark = "  [yellow](needs trust)[/yellow]" if name in outside else ""
            console.print(f"    {escape(name)}{mark}")
        for danger in item.dangerous_imports:
            console.print(f"    [red]dangerous[/red] {escape(danger)}")
        if item.error:
            console.print(f"    problem: {escape(item.error)}")
        if item.loads_by_default is not None:
            console.print(f"    verdict: {_verdict(item)}")


def _verdict(item: PickleInfo) -> str:
    """Whether mlmodel's loaders load the pickle without trust, in one line (markup)."""
    where = f"the {item.allowlist} allowlist" if item.allowlist else "the allowlist"
    if item.loads_by_default:
        return f"[green]loads by default[/green] (every import is on {escape(where)})"
    if item.error:
        why = "it could not be scanned to the end"
    else:
        names = item.needs_trust
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        why = f"{len(names)} import(s) not on {where}: {shown}"
    return (
        f"[yellow]needs the loader's trust[/yellow]: {escape(why)} (--trust-type, a "
        "signature, or --allow-unsafe)"
    )
