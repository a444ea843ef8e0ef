"""The reader site as readers meet it: published as files (`make publish`), served by nginx alone,
crawled from the national page; search; releases whose pages never change."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import duckdb
import pytest

from tests.asgi_client import Downstream, call
from tests.conftest import ROOT, needs_nginx
from tests.htmlcheck import check

AREAS = 1 + 38 + 514 + 7285


@pytest.fixture(scope="module")
def published(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The default build published by the command a deployer runs, into a fresh folder."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, EKTP_DB=str(default_db))
    env.pop("EKTP_PUBLIC_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "deploy.publish", "--out", str(out), "--workers", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads(done.stdout)


class Client:
    """One keep-alive connection to the static server."""

    def __init__(self, url: str) -> None:
        u = urlsplit(url)
        self.con = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def get(self, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, bytes]:
        self.con.request(method, path, headers=headers or {})
        r = self.con.getresponse()
        self.head = {k.lower(): v for k, v in r.getheaders()}
        return r.status, r.read()


@needs_nginx
def test_the_published_site_is_whole_from_the_national_page(published: tuple[Path, dict]) -> None:
    """nginx alone (no app process) serves the folder; a crawl from the national page reaches
    every area page of both languages by links, finds no broken internal link, and every page
    names its release in its citation. Every Indonesian page, and the English pages of the nation,
    the provinces and Jambi, pass the HTML check and are walked; the other English pages (the
    same template, reached from their Indonesian twins) are fetched and their citation read."""
    from deploy.static import start

    out, done = published
    rid = done["release"]
    assert done["files"] == done["written"] and (out / "r" / rid / "release.json").exists()
    assert done["removed"] == 0 and (out / ".publish.lock").exists()  # the lock is no stale root file
    server = start(out)
    try:
        client = Client(server.url)
        seen: set[str] = set()
        queue = deque(["/id/wilayah/00.html", "/index.html"])
        areas: set[str] = set()
        problems: list[str] = []
        checked = 0
        while queue:
            path = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            pinned = path.startswith("/r/")  # another copy of these files: linked to, not walked
            html = path.endswith(".html") and not pinned
            status, body = client.get(path, "GET" if html else "HEAD")
            if status != 200:
                problems.append(f"{path}: {status}")
                continue
            if not html:
                continue
            name = path.rsplit("/", 1)[-1]
            if path.startswith("/en/wilayah/") and len(name) > 8 and not name.startswith("15"):
                areas.add(path)  # an English district or regency page outside Jambi: read, not walked
                if f"Release {rid}" not in body.decode():
                    problems.append(f"{path}: no citation of release {rid}")
                continue
            found, links = check(body)
            checked += 1
            problems += [f"{path}: {p}" for p in found]
            if "/wilayah/" in path:
                areas.add(path)
            said = body.decode()
            cited = f"Rilis {rid}" in said or f"Release {rid}" in said
            if ("/wilayah/" in path or "/peta/" in path) and not (cited and 'class="small cite"' in said):
                problems.append(f"{path}: no citation of release {rid}")
            if ", accessed " in said or ", diakses " in said:  # a file cannot know the day it is read
                problems.append(f"{path}: a release's file claims the day it was read")
            for href in links:
                target = urlsplit(urljoin(path, href))
                if target.scheme or target.netloc:
                    continue  # the live dashboard or another site: not part of these files
                if target.path not in seen:
                    queue.append(target.path)
        assert not problems, problems[:20]
        assert len(areas) == 2 * AREAS, len(areas)
        for path, cache in (
            ("/id/wilayah/15.03.html", "max-age=300"),
            (f"/r/{rid}/id/wilayah/15.03.html", "immutable"),
        ):
            client.get(path)
            assert cache in client.head["cache-control"] and client.head["x-content-type-options"] == "nosniff"
            assert client.head["content-security-policy"].startswith("default-src 'none'")
        assert checked >= AREAS + 38
        # each text file's gzip copy, published beside it, is what a browser asking for gzip gets
        import gzip

        from deploy.publish import GZIPPED, RECORD

        files = [f for f in (out / "r" / rid).rglob("*") if f.is_file() and f.suffix != ".gz" and f.name != RECORD]
        text = [f for f in files if f.name.endswith(GZIPPED)]
        assert len(files) == done["files"] and done["compressed"] == len(text) > 0
        assert all(f.with_name(f.name + ".gz").exists() for f in text)
        for path in ("/id/wilayah/15.03.html", f"/r/{rid}/en/wilayah/15.03.json", "/cari.json"):
            plain = (out / path.lstrip("/")).read_bytes()
            status, body = client.get(path, headers={"Accept-Encoding": "gzip"})
            assert status == 200 and client.head.get("content-encoding") == "gzip", (path, client.head)
            assert body == (out / (path.lstrip("/") + ".gz")).read_bytes() and gzip.decompress(body) == plain
    finally:
        server.stop()


def test_a_second_publish_of_the_same_build_writes_nothing(published: tuple[Path, dict], default_db: Path) -> None:
    """Incremental: the same release again rewrites no file (here Jambi's, to keep the test short)."""
    out, done = published
    env = dict(os.environ, EKTP_DB=str(default_db))
    code = "from pathlib import Path; import json, sys; from deploy.publish import publish; print(json.dumps(publish(Path(sys.argv[1]), 1, only='15')))"
    again = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    result = json.loads(again.stdout.strip().splitlines()[-1])
    assert result["release"] == done["release"] and result["files"] > 100
    assert result["written"] == result["linked"] == result["root_written"] == result["removed"] == 0, result
    assert result["compressed"] == 0  # the same gzip copies too
    # and the whole release, published before, is not drawn again (`make run-public` runs it)
    code = "from pathlib import Path; import json, sys; from deploy.publish import publish; print(json.dumps(publish(Path(sys.argv[1]), 1)))"
    whole = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr[-2000:]
    result = json.loads(whole.stdout.strip().splitlines()[-1])
    assert result["skipped"] and result["files"] == done["files"] and (out / "id/wilayah/15.03.html").exists()


@pytest.mark.parametrize("typed", ["sarolangun", "Kab. Sarolangun", "sarolngun", "KABUPATEN SAROLANGUN"])
def test_search_finds_sarolangun(app_env: Path, typed: str) -> None:
    from ektp.analysis import search

    assert search.search(typed)[0].code == "15.03"


def test_search_forgives_aliases_old_names_and_says_kind(app_env: Path) -> None:
    from ektp.analysis import search

    tanjab = search.search("Tanjabtim")[0]
    assert (tanjab.code, tanjab.said_kind) == ("15.07", "alias")
    kota = search.search("kota jambi")[0]
    assert kota.code == "15.71", kota  # the city before the province of that name
    papua = {h.code: h for h in search.search("papua")}
    assert {"91", "93", "94", "95"} <= set(papua)
    assert papua["93"].said_kind == "former"  # Papua Selatan: found as part of old Papua
    assert search.search("x") == [] and search.search("zzqqxx") == []


def test_search_page_links_to_area_pages_in_both_languages(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ektp.web.reader import Reader

    monkeypatch.setenv("EKTP_PUBLIC", "1")
    app = Reader(Downstream())
    for query, lang_part, said in (
        ("q=sarolngun", "", "wilayah ditemukan"),
        ("q=Kab.+Sarolangun&lang=en", "?lang=en", "areas found"),
    ):
        status, head, body = call(app, "/v/cari", query)
        page = body.decode()
        assert status == 200 and said in page
        assert f'href="/v/wilayah/15.03{lang_part}"' in page
        assert not check(body)[0]
        typed = query.split("&")[0][2:].replace("+", " ")  # the box keeps what was searched
        assert re.search(
            rf'name="q" type="search" autocomplete="off" maxlength="100" size="18" placeholder="[^"]+" value="{re.escape(typed)}"',
            page,
        )
    status, _, body = call(app, "/v/cari", "q=%3Cscript%3E")
    assert status == 200 and "<script>" not in body.decode() and 'value="&lt;script&gt;"' in body.decode()


def _rebuilt(db: Path, to: Path) -> Path:
    """A new data build: the same file with Sarolangun's latest count changed and a new date."""
    shutil.copy(db, to)
    con = duckdb.connect(str(to))
    try:
        con.execute(
            "UPDATE coverage_area SET recorded = recorded - 1000 WHERE region_code = '15.03' AND as_of = "
            "(SELECT max(as_of) FROM coverage_area WHERE region_code = '15.03')"
        )
        con.execute("UPDATE meta SET value = '2027-01-15T00:00:00' WHERE key = 'built_at'")
    finally:
        con.close()
    return to


def test_pinned_pages_stay_byte_identical_after_a_new_build(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journalist's pinned link: before and after a new build, live and published, the same
    bytes; the latest link moves on to the new figures; only `releases_kept` releases stay."""
    from deploy.publish import publish
    from ektp.data import areadata
    from ektp.web.reader import Reader

    site = tmp_path / "site"
    monkeypatch.setenv("EKTP_SITE_DIR", str(site))
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.setenv("EKTP_PUBLIC", "1")  # as the public instance, and as the publisher draws
    monkeypatch.setenv("EKTP_RELEASES_KEPT", "1")
    old = areadata.release_id()
    pinned = f"/v/r/{old}/id/wilayah/15.03.html"
    status, head, live_before = call(Reader(Downstream()), pinned)  # drawn: not published yet
    assert status == 200 and head["cache-control"] == "public, max-age=31536000, immutable"
    first = publish(site, 1, only="15.03")
    assert (site / "r" / old / "id/wilayah/15.03.html").read_bytes() == live_before
    latest_before = call(Reader(Downstream()), "/v/wilayah/15.03")[2]

    monkeypatch.setenv("EKTP_DB", str(_rebuilt(default_db, tmp_path / "new.duckdb")))
    new = areadata.release_id()
    assert new != old and new.startswith("2027-01-15-")
    app = Reader(Downstream())
    status, _, after = call(app, pinned)
    assert status == 200 and after == live_before  # from the kept folder
    latest_after = call(app, "/v/wilayah/15.03")[2]
    assert latest_after != latest_before and f"Rilis {new}" in latest_after.decode()
    releases_page = call(app, "/v/rilis")[2].decode()
    assert old in releases_page and new in releases_page
    assert "data dibangun pada 15 Januari 2027" in releases_page  # the page's language, not ISO

    second = publish(site, 1, only="15.03")
    assert second["written"] > 0 and second["kept"] == [new]  # keep 1: the old release goes
    assert not (site / "r" / old).exists() and first["release"] == old
    status, _, body = call(Reader(Downstream()), pinned)
    assert status == 404 and "tidak disimpan" in body.decode()

    # a rollback to the old build: its release is published again and kept, the newer one goes
    monkeypatch.setenv("EKTP_DB", str(default_db))
    third = publish(site, 1, only="15.03")
    assert third["kept"] == [old] and (site / "r" / old).exists() and not (site / "r" / new).exists()
    assert (site / "r" / old / "id/wilayah/15.03.html").read_bytes() == live_before


def test_release_routes_serve_release_files_and_nothing_else(app_env: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """/v/r/<release>/<path> reads only a release's own files: a secret a naive join of the path
    would reach, a symlink out of the folder, an odd name: all 404, none kept by caches."""
    from ektp.web.reader import Reader

    rid = "2026-01-01-abcdef12"
    site = tmp_path / "site"
    folder = site / "r" / rid / "id" / "wilayah"
    folder.mkdir(parents=True)
    (folder / "15.03.html").write_text("<p>kept page</p>")
    (site / "r" / rid / "secret.txt").write_text("secret")  # inside the release folder, not a release path
    (site / "secret.html").write_text("secret")
    (tmp_path / "outside.html").write_text("secret")
    (folder / "15.04.html").symlink_to(tmp_path / "outside.html")  # a link out of the site
    monkeypatch.setenv("EKTP_SITE_DIR", str(site))
    app = Reader(Downstream())
    status, head, body = call(app, f"/v/r/{rid}/id/wilayah/15.03.html")
    assert status == 200 and body == b"<p>kept page</p>" and "immutable" in head["cache-control"]
    for path in (f"/v/r/{rid}/secret.txt", f"/v/r/{rid}/../../secret.html", f"/v/r/{rid}/id/wilayah/../../../secret.html",
                 f"/v/r/{rid}/id/wilayah/15.04.html", f"/v/r/{rid}/id/wilayah/%2e%2e.html", "/v/r/../secret.html",
                 "/v/r/x/index.html", "/v/wilayah/../../etc"):  # fmt: skip
        status, head, body = call(app, path)
        assert status in (404, 299) and b"secret" not in body, path
        assert head.get("cache-control") in (None, "no-store"), path
    # a release's missing page answers in the language of its path, whatever ?lang= says
    status, _, body = call(app, f"/v/r/{rid}/en/wilayah/99.html", "lang=id")
    assert status == 404 and b"This release has no such page" in body and b'lang="en"' in body


def test_the_published_files_are_the_live_servers_pinned_pages(
    published: tuple[Path, dict], default_db: Path, monkeypatch
) -> None:  # noqa: ANN001
    """The publisher's worker processes and a public server drawing /v/r/<release>/ itself (the
    release not in its site folder) make the same bytes."""
    from ektp.web.reader import Reader

    out, done = published
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    monkeypatch.setenv("EKTP_SITE_DIR", str(out.parent / "no-site-here"))
    app = Reader(Downstream())
    for path in ("id/wilayah/15.03.html", "en/wilayah/00.html", "id/peta/15_regency.html", "en/peta/15_district.embed.html",
                 "id/wilayah/15.03.json", "en/cari.html", "id/rilis.html", "cari.json"):  # fmt: skip
        status, _, body = call(app, f"/v/r/{done['release']}/{path}")
        assert status == 200 and body == (out / "r" / done["release"] / path).read_bytes(), path


def test_area_pages_fit_a_phone_and_link_up_and_down(app_env: Path) -> None:
    """Every reader page has a breadcrumb and the search box; a regency's page links its
    parent, its siblings and each of its districts (map and cards), and files."""
    from ektp.web.reader import Reader

    app = Reader(Downstream())
    for lang in ("", "lang=en"):
        status, _, body = call(app, "/v/wilayah/15.03", lang)
        page = body.decode()
        assert status == 200 and not check(body)[0]
        suffix = "?lang=en" if lang else ""
        assert 'aria-label="' in page and 'class="crumbs"' in page and 'role="search"' in page
        assert f'href="/v/wilayah/15{suffix}"' in page and f'href="/v/wilayah/00{suffix}"' in page
        assert f'href="/v/wilayah/15.03.01{suffix}"' in page and f'href="/v/wilayah/15.04{suffix}"' in page
        assert f"/v/wilayah/15.03.csv{suffix}" in page and f"/v/wilayah/15.03.json{suffix}" in page
        assert page.count('class="cards"') == 2  # districts, neighbours: cards, no wide table
        assert '<meta property="og:title" content="Kabupaten Sarolangun: ' in page  # a shared link names it
    status, _, body = call(app, "/v/map", "area=15&level=regency")
    page = body.decode()
    assert 'class="crumbs"' in page and '<a href="/v/wilayah/15.03"><path data-c="15.03"' in page
    assert '<th scope="row"><a href="/v/wilayah/15.03">' in page  # ranking rows are links


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_area_page_says_what_its_maps_and_the_overview_say(app_env: Path, lang: str) -> None:
    """One truth: over every province and every regency and district of Jambi and Papua
    Pegunungan, an area page's rate is its row in its parent's map, its rank is that row's place
    in the map's ranking, its units are its own map's ranking in order, its rate, date and
    source are the Overview's (queries.area_latest), and it is judged by its own target alone,
    below it exactly when its parent's map outlines it (never by its province's)."""
    from ektp.data import areadata, queries
    from ektp.mapview.area import area_view
    from ektp.text import fmt
    from ektp.text.i18n import t

    f = areadata.facts()
    codes = [c for c, u in f.units.items() if u.level == "province" or c.startswith(("15.", "94."))]
    assert len(codes) > 200
    judged = (("area_below_target", 1), ("area_meets_target", 0), ("area_gap_target", 1))
    nobody_judged = 0
    for code in codes:
        a = area_view(code, lang)
        own, _ = queries.area_latest(code)
        figures = {x.key: x for x in a.figures}
        assert figures["recording_rate"].value == fmt.pct(own["recording_rate"], lang), code
        assert figures["recording_rate"].date == fmt.date(own["as_of"], lang), code
        said = t("synthetic", lang) if own["is_synthetic"] else fmt.source(own["source"], lang)
        assert figures["recording_rate"].source == said, code
        mine = next(r for r in a.parent_map.table if r[3] == code)
        assert mine[1] == fmt.num(own["recording_rate"] * 100, lang, 1) + "%", code
        # the rank, from the SQL of its parent's map on that map's date, lowest rate first
        parent = f.units[code].parent
        rows = queries.map_values(f.units[code].level, parent, a.parent_map.choice.as_of).drop_nulls("recording_rate")
        order = rows.sort(["recording_rate", "code"])["code"].to_list()
        assert a.rank[:2] == (order.index(code) + 1, len(order)), code
        if a.child_map is not None:
            kids = queries.map_values(a.child_map.choice.level, code, a.child_map.choice.as_of)
            expected = kids.sort(["recording_rate", "code"], nulls_last=True)["code"].to_list()
            assert [c[0] for c in a.children] == expected, code
        assert fmt.pct(own["recording_rate"], lang) in a.sentence and fmt.num(own["unrecorded"], lang) in a.sentence
        # judged as its parent's map judges it: by its own target only, below it iff outlined there
        unit = a.parent_map.data.row(a.parent_map.data["code"].to_list().index(code), named=True)
        below, meets, against = [t(k, lang, gap="\0", target="\0").split("\0")[i] for k, i in judged]
        if unit["target"] is None:
            assert a.target is None and below not in a.sentence and meets not in a.sentence, code
            assert not any(against in g for g in a.gaps), code
        else:
            assert (below in a.sentence) == (code in a.parent_map.outlined), code
            assert (meets in a.sentence) == (code not in a.parent_map.outlined), code
            assert a.target.startswith(fmt.pct(unit["target"], lang)), code
        nobody_judged += unit["target"] is None
    assert nobody_judged >= 10  # Jambi's regencies have no target of their own: the case the pages differed on


def test_a_failed_publish_leaves_the_root_as_the_last_release(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader at the root during a publish, or after one that failed, met a mix of two
    releases (a new page beside an old map, links to files not yet there): the root was written
    as the workers went. Now the root becomes the new release once all of it is drawn, so a
    publish that fails half way (here the 40th file of a new build) leaves every root file as
    the last release had it, and the next publish that succeeds makes the root that release."""
    from deploy import publish as publisher
    from ektp.reader import site as reader_site

    site = tmp_path / "site"
    monkeypatch.setenv("EKTP_DB", str(default_db))
    publisher.publish(site, 1, only="15.03")
    before = {f: f.read_bytes() for f in site.rglob("*") if f.is_file() and f.relative_to(site).parts[0] != "r"}
    assert len(before) > 40

    monkeypatch.setenv("EKTP_DB", str(_rebuilt(default_db, tmp_path / "new.duckdb")))
    drawn = reader_site.file
    calls = {"n": 0}

    def failing(path: str, to: object) -> bytes | None:
        calls["n"] += 1
        if calls["n"] == 40:
            raise RuntimeError("the disk filled up")
        return drawn(path, to)

    monkeypatch.setattr(reader_site, "file", failing)
    with pytest.raises(RuntimeError, match="disk filled"):
        publisher.publish(site, 1, only="15.03")
    after = {f: f.read_bytes() for f in site.rglob("*") if f.is_file() and f.relative_to(site).parts[0] != "r"}
    assert after == before  # not one root file of the new build

    monkeypatch.setattr(reader_site, "file", drawn)
    done = publisher.publish(site, 1, only="15.03")
    assert done["root_written"] > 0
    root_page = (site / "id" / "wilayah" / "15.03.html").read_bytes()
    assert root_page == (site / "r" / done["release"] / "id" / "wilayah" / "15.03.html").read_bytes()
    assert root_page != before[site / "id" / "wilayah" / "15.03.html"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_count_summed_from_units_below_says_how_many_reported(app_env: Path, lang: str) -> None:
    """Review finding (2026-12-08): the national page said "Invalid cards destroyed 27,779" as
    the nation's count; it is two cities' burnings (Kota Jambi 14,120, Probolinggo 13,659). A
    count summed from units below says how many reported; a unit's own count says nothing more."""
    from ektp.data import areadata
    from ektp.mapview.area import area_view
    from ektp.text import fmt
    from ektp.text.i18n import t

    f = areadata.facts()
    burned = sorted({e[0] for e in f.events})
    assert len(burned) >= 2
    nation = {x.key: x for x in area_view("00", lang).figures}["cards_destroyed"]
    total = sum(e[2] for e in f.events)
    assert nation.value == fmt.num(total, lang)
    assert nation.label == t("cards_destroyed", lang) + " " + t("area_reported_by", lang, n=fmt.num(len(burned), lang))
    for code in burned:
        own = {x.key: x for x in area_view(code, lang).figures}["cards_destroyed"]
        assert own.value == fmt.num(sum(e[2] for e in f.events if e[0] == code), lang), code
        assert own.label == t("cards_destroyed", lang), code
        province = {x.key: x for x in area_view(code[:2], lang).figures}["cards_destroyed"]
        below = [c for c in burned if c.startswith(code[:2] + ".")]
        key = "area_reported_by_one" if len(below) == 1 else "area_reported_by"
        assert province.label.endswith(t(key, lang, n=fmt.num(len(below), lang))), code
