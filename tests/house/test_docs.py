"""The documentation is kept true, in the Datasette manner: a setting, page, command or view that
the code has and the README or docs/ do not name fails this test."""

from __future__ import annotations

import re

from ektp.core import settings
from ektp.text.i18n import t
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))


def test_the_readme_is_a_front_door() -> None:
    assert len(README.splitlines()) < 200
    for doc in ("ARCHITECTURE", "LOADING", "DATA", "DATA_DICTIONARY", "PERFORMANCE", "SCALING", "RELIABILITY"):
        assert f"docs/{doc}.md" in README and (ROOT / "docs" / f"{doc}.md").exists(), doc
    assert "docs/screenshot_map.png" in README and (ROOT / "docs" / "screenshot_map.png").exists()


def test_every_setting_is_in_the_readme_table() -> None:
    for s in settings.SETTINGS:
        assert f"| {s.name} | `{s.env}` |" in README, s.name


def test_every_page_is_in_the_readme() -> None:
    keys = {"app.py": "page_overview"}
    for page in (ROOT / "pages").glob("*.py"):
        key = re.search(r'ui\.setup\("(\w+)"\)', page.read_text(encoding="utf-8"))
        assert key, page.name
        keys[page.name] = key[1]
    for name, key in keys.items():
        assert t(key, "en") in README, (name, t(key, "en"))


def test_every_command_is_documented() -> None:
    source = (ROOT / "etl" / "__main__.py").read_text(encoding="utf-8")
    commands = re.findall(r'sub\.add_parser\("(\w+)"', source)
    assert {"build", "load", "status", "settings", "operator"} <= set(commands)
    for cmd in commands:
        assert re.search(rf"python -m etl {cmd}\b", DOCS), cmd
    for flag in ("--dry-run", "--codes", "--as-of", "--province", "--sheet"):
        assert flag in DOCS, flag
    for target in re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M):
        assert f"make {target}" in DOCS, target


def test_every_view_is_in_the_data_dictionary() -> None:
    views = re.findall(r"CREATE OR REPLACE VIEW (\w+)", (ROOT / "etl" / "sql" / "views.sql").read_text())
    dictionary = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert len(views) > 5
    for v in views:
        assert f"`{v}`" in dictionary, v


def test_no_import_circle() -> None:
    """No module of ektp/ or etl/ imports one that imports it back, directly or round a loop
    (imports inside functions count: they hid the fmt ↔ i18n and build ↔ load circles)."""
    import ast

    modules: dict[str, set[str]] = {}
    for pkg in ("ektp", "etl"):
        for f in (ROOT / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            deps: set[str] = set()
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("ektp", "etl"):
                    deps |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
                elif isinstance(node, ast.Import):
                    deps |= {a.name for a in node.names if a.name.split(".")[0] in ("ektp", "etl")}
            modules[name] = deps
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items()}

    def loop_from(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*path, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    loops = [loop for m in graph if (loop := loop_from(m))]
    assert not loops, loops[0]


def test_no_module_over_600_lines() -> None:
    """Each module small enough to read in one sitting (the split ui.py and charts.py had 890
    and 1,100 lines)."""
    long = {
        str(f.relative_to(ROOT)): n
        for pkg in ("ektp", "etl", "pages")
        for f in (ROOT / pkg).rglob("*.py")
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long
