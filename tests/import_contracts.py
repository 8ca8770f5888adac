"""Contract types of our own for import-linter (``lint-imports``, run by ``make test``).

``no_private_names``: no module imports a private name (``_name``) from another
module. A leading underscore says "only this module relies on it"; a second user
means the name is part of an interface and should say so by its name.
"""

import ast
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _source_path(module: str) -> Path | None:
    """The module's file, found without importing it (a package's ``__init__`` may need
    settings to run)."""
    base = Path.cwd().joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _private_imports(module: str, path: Path) -> list[str]:
    """``from x import _y`` where x is another module; ``__dunder__`` names are not private."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        if source == module or source == "__future__":
            continue
        for alias in node.names:
            name = alias.name
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                found.append(f"{module}:{node.lineno} imports {name} from {source}")
    return found


class NoPrivateNamesContract(Contract):
    """No module of ``source_packages`` imports an underscore name from another module."""

    type_name = "no_private_names"

    source_packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found: list[str] = []
        for module in sorted(graph.modules):
            if not any(module == p or module.startswith(p + ".") for p in self.source_packages):
                continue
            if ".migrations." in module:
                continue
            path = _source_path(module)
            if path is not None:
                found.extend(_private_imports(module, path))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line)
        output.new_line()
        output.print("Make the name public (no underscore) where it is meant to be shared.")
