"""The house's layers (docs/ARCHITECTURE.md): every import points down or across, never up.

Each module of ektp/ has a layer; a module may import its own layer and those below it. The ETL
imports only the core (the Load page's door, etl/uploads.py, also the app's connection, which
it swaps after a load); the app (app.py, pages/, ektp/) never imports the ETL but through that
door, and only on the Load page; deploy/ imports neither bench/ nor tests/. A test reads the
imports from the source (ast), so a lazy import inside a function counts as much as one at the
top."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

#: Lowest first. A module may import from its own layer and every layer before it.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": ("ektp.core",),
    "text": ("ektp.text",),
    "data": ("ektp.data",),
    "analysis": ("ektp.analysis", "ektp.charts"),
    "mapview": ("ektp.mapview",),
    "faces": ("ektp.reader", "ektp.ui"),
    "web": ("ektp.web",),
}
ORDER = list(LAYERS)
CORE = LAYERS["core"]
#: The write path's one door from the app (the Load page) and what it may reach in the app.
DOOR = "etl.uploads"
DOOR_MAY = ("ektp.data.db",)


def layer_of(module: str) -> str | None:
    """The layer of an ektp module (the longest prefix listed), None outside ektp."""
    best = None
    for name, prefixes in LAYERS.items():
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > len(best[1])):
                best = (name, p)
    return best[0] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[str]:
    """Every module a file imports (top level and inside functions), as absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{a.name}" for a in node.names)
    return found


def _sources(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


def test_every_ektp_module_has_a_layer() -> None:
    """A new module is placed in a layer (here and in docs/ARCHITECTURE.md) before it lands."""
    unplaced = [module_name(p) for p in _sources("ektp") if layer_of(module_name(p)) is None]
    assert unplaced in ([], ["ektp"]), unplaced


def test_no_import_runs_back_up_a_layer() -> None:
    wrong = []
    for path in _sources("ektp"):
        me = module_name(path)
        mine = layer_of(me)
        if mine is None:
            continue
        for target in imports(path):
            theirs = layer_of(target)
            if theirs is not None and ORDER.index(theirs) > ORDER.index(mine):
                wrong.append(f"{me} ({mine}) imports {target} ({theirs})")
            if target.split(".")[0] in ("etl", "bench", "deploy", "tests", "app", "pages"):
                wrong.append(f"{me} imports {target}")
    assert wrong == []


def test_the_etl_imports_only_the_core_and_the_app_reaches_it_through_one_door() -> None:
    wrong = []
    for path in _sources("etl"):
        me = module_name(path)
        for target in imports(path):
            if not target.startswith("ektp"):
                continue
            allowed = any(target == c or target.startswith(c + ".") for c in CORE)
            if me == DOOR:
                # `from ektp.data import db` names the package too; its names are checked one by one
                allowed = allowed or any(
                    target == c or target.startswith(c + ".") or c.startswith(target + ".") for c in DOOR_MAY
                )
            if not allowed and target != "ektp":
                wrong.append(f"{me} imports {target}")
    for path in [ROOT / "app.py", ROOT / "asgi.py", *_sources("pages")]:
        for target in imports(path):
            if target.split(".")[0] == "etl" and not (
                path.name == "7_Muat_data.py" and (target == DOOR or target == "etl" or target.startswith(DOOR))
            ):
                wrong.append(f"{path.name} imports {target}")
    assert wrong == []


def test_deploy_owns_its_process_helpers() -> None:
    wrong = [
        f"{module_name(p)} imports {t}"
        for p in _sources("deploy")
        for t in imports(p)
        if t.split(".")[0] in ("bench", "tests")
    ]
    assert wrong == []
