"""An HTML check for the reader's pages (no validator package on a closed network): the rules a
page of ours must keep, read with the standard library's parser.

- a doctype, `<html lang>`, `<meta charset>`, a viewport, a non-empty `<title>`, one `<h1>`;
- every element closed in order (void elements aside), no end tag without its start;
- no id twice; no attribute twice on an element;
- every link has an address and a name (its text, or an SVG `<title>` inside it);
- every image has `alt`; every `role="img"` SVG an `aria-label`.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: SVG elements written self-closed (<path/>): the parser reports them as start+end.
SVG_SELF = {"path", "circle", "rect", "line", "polyline", "polygon", "ellipse", "use", "tspan", "stop"}


class Check(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.h1 = 0
        self.title = ""
        self.lang = ""
        self.charset = self.viewport = self.doctype = False
        self.links: list[str] = []
        self._in_title = False
        self._anchor: list[list] = []  # open <a>: [href, name text]

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = [k for k, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"<{tag}> has an attribute twice: {names}")
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"id {a['id']!r} twice")
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "meta":
            self.charset = self.charset or "charset" in a
            self.viewport = self.viewport or a.get("name") == "viewport"
        elif tag == "h1":
            self.h1 += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "img" and not a.get("alt"):
            self.problems.append("<img> without alt")
        elif tag == "svg" and a.get("role") == "img" and not a.get("aria-label"):
            self.problems.append("<svg role=img> without aria-label")
        elif tag == "a":
            if not a.get("href"):
                self.problems.append("<a> without href")
            else:
                self.links.append(a["href"])
            self._anchor.append([a.get("href"), a.get("aria-label") or ""])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._anchor:
            href, name = self._anchor.pop()
            if not name.strip():
                self.problems.append(f"link to {href} has no name")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        for a in self._anchor:
            a[1] += data


def check(page: bytes) -> tuple[list[str], list[str]]:
    """(problems, the page's link addresses)."""
    c = Check()
    c.feed(page.decode("utf-8"))
    c.close()
    p = list(c.problems)
    if not c.doctype:
        p.append("no doctype")
    if not c.lang:
        p.append("no <html lang>")
    if not c.charset or not c.viewport:
        p.append("no charset or viewport")
    if not c.title.strip():
        p.append("empty <title>")
    if c.h1 != 1:
        p.append(f"{c.h1} <h1>")
    if c.stack:
        p.append(f"unclosed {c.stack}")
    return p, c.links
