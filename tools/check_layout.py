"""Check the package's shape (run by CI): ``python tools/check_layout.py``.

* no import circle between modules of ``bot/`` (imports under
  ``if TYPE_CHECKING:`` aside; imports inside functions count);
* no file over ``MAX_FILE_LINES`` lines, no function over
  ``MAX_FUNCTION_LINES`` lines (its signature, docstring and body);
* the engine (``bot/engine/``) imports nothing of Discord and nothing of the
  bot outside the engine;
* code outside the engine imports it only through ``bot.engine``;
* the service layer (``bot/service/``), the renderer and the question log
  import nothing of Discord;
* the bot class (``bot/client.py``) imports no extension and no ui module:
  they stand on it, not it on them (they import it only for typing).

Prints every breach, one a line, and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bot"
MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 80
DISCORD_FREE = ("bot.engine", "bot.service", "bot.render", "bot.question_log", "bot.settings")
"""Modules (and packages) that must not import discord."""
ABOVE_THE_CLIENT = ("bot.exts", "bot.ui")
"""What ``bot.client`` must not import."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST, here: str, is_package: bool) -> Iterator[tuple[str, list[str], int]]:
    """(module, names, line) of every import outside ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".") if is_package else here.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [a.name for a in node.names], node.lineno
        stack.extend(ast.iter_child_nodes(node))


def resolve(target: str, names: list[str], modules: set[str]) -> set[str]:
    """The modules of ``bot`` an import loads explicitly."""
    out = {f"{target}.{n}" for n in names if f"{target}.{n}" in modules}
    if target in modules and (not names or len(out) < len(names)):
        out.add(target)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def function_breaches(tree: ast.AST, rel: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{rel}:{node.lineno}: function {node.name} has {length} lines (max {MAX_FUNCTION_LINES})"


def main() -> int:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in files}
    graph: dict[str, set[str]] = {}
    problems: list[str] = []
    for path in files:
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n"))
        if lines > MAX_FILE_LINES:
            problems.append(f"{rel}: {lines} lines (max {MAX_FILE_LINES})")
        tree = ast.parse(text, rel)
        problems.extend(function_breaches(tree, rel))
        here = module_name(path)
        edges = graph.setdefault(here, set())
        in_engine = here == "bot.engine" or here.startswith("bot.engine.")
        for target, names, line in imports(tree, here, path.name == "__init__.py"):
            top = target.split(".")[0]
            if top == "discord" and here.startswith(DISCORD_FREE):
                problems.append(f"{rel}:{line}: imports {target}: this layer must know nothing of Discord")
            if top != "bot":
                continue
            loaded = resolve(target, names, modules)
            edges |= loaded - {here}
            for mod in loaded:
                mod_in_engine = mod == "bot.engine" or mod.startswith("bot.engine.")
                if in_engine and not mod_in_engine and mod != "bot":
                    problems.append(f"{rel}:{line}: the engine imports {mod}, outside the engine")
                if here == "bot.client" and mod.startswith(ABOVE_THE_CLIENT):
                    problems.append(f"{rel}:{line}: the bot class imports {mod}: extensions and ui stand on it")
                if not in_engine and mod.startswith("bot.engine."):
                    problems.append(f"{rel}:{line}: imports {mod}: use the public path bot.engine")
    for component in cycles(graph):
        problems.append("import circle: " + " <-> ".join(component))
    for problem in problems:
        print(problem)
    print(f"checked {len(files)} modules: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
