// The map of a view (ektp.mapview), interactive in the page without Plotly: the same SVG the
// reader page and the exports draw. A unit's details (its ranking row) show on hover, on a tap,
// and on keyboard focus; a click, a second tap or Enter opens the unit (drill down). On the map
// page the view's ranking is listed under it: a row pointed at or focused outlines its unit, a
// row picked (click, tap, Enter) shows it and tells the page ("pick"); the search box filters
// the rows here, without a round trip.

// Text compared without case or accents ("Bélitung" finds "belitung").
const fold = (s) => String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".ektp-map");
  if (!root) {
    root = document.createElement("div");
    root.className = "ektp-map";
    parentElement.appendChild(root);
  }
  if (root.dataset.key !== data.key) {
    // text goes in as text; the SVG and the legend are the server's own markup (escaped there)
    root.innerHTML =
      '<p class="title"></p>' +
      data.svg +
      '<p class="tip" role="status" aria-live="polite"></p>' +
      '<p class="hint"></p>' +
      data.legend +
      '<p class="source"></p>' +
      (data.ranking
        ? '<section class="rank"><h2></h2><p class="hint rank-hint"></p><label><span></span> ' +
          '<input type="search" autocomplete="off" maxlength="60"></label><p class="hint rank-note"></p>' +
          '<div class="scroll"><table><thead><tr></tr></thead><tbody></tbody></table></div></section>'
        : "");
    root.querySelector(".title").textContent = data.title;
    root.querySelector(".source").textContent = data.source;
    if (data.ranking) {
      const w = data.ranking;
      root.querySelector(".rank h2").textContent = w.title;
      root.querySelector(".rank-hint").textContent = w.hint;
      root.querySelector(".rank label span").textContent = w.search;
      const tr = root.querySelector(".rank thead tr");
      for (const h of data.head) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = h;
        tr.appendChild(th);
      }
    }
    root.dataset.key = data.key;
    delete root.dataset.focus; // a new drawing: the picked unit is shown on it again
  }
  const svg = root.querySelector(":scope > svg"); // the map (the legend has small ones)
  const tip = root.querySelector(".tip");
  root.querySelector(".hint").textContent = data.hint;
  if (!svg) return;
  // the map page's first view (its HTML's own, over the app until now) gives way to the map
  const cover = document.getElementById("ektp-cover");
  if (cover) cover.remove();
  // the keyboard walks the ranking's order, worst first
  const order = data.rows.map((r) => r[data.code_at]);
  // each unit's details: its ranking row in words, the code left out ("Sarolangun · Recording
  // rate: 86.0% · Class: …"); made once per drawing, not on every answer of the page
  if (!root.ektpUnits || root.ektpUnits.key !== data.key) {
    const words = {};
    for (const row of data.rows) {
      const said = [row[0]];
      row.forEach((v, i) => {
        if (i !== 0 && i !== data.code_at) said.push(data.head[i] + ": " + v);
      });
      words[row[data.code_at]] = said.join(" · ");
    }
    root.ektpUnits = { key: data.key, words };
  }
  const units = root.ektpUnits.words;
  const drillable = new Set(data.drillable ? order : []);
  let markRow = () => {}; // the ranking's row of the unit shown (set when the ranking is listed)
  const ns = "http://www.w3.org/2000/svg";
  let mark = svg.querySelector("path.on");
  if (!mark) {
    mark = document.createElementNS(ns, "path");
    mark.setAttribute("class", "on");
    svg.appendChild(mark);
  }
  svg.setAttribute("tabindex", "0");
  let current = null;
  let pointer = "mouse"; // the kind of the last press: a tap shows first, a mouse click opens

  function unitOf(target) {
    const p = target && target.closest ? target.closest("[data-c]") : null;
    return p ? p.getAttribute("data-c") : null;
  }
  function show(code, fromMap) {
    current = code;
    markRow(code && units[code] ? code : null, fromMap);
    if (!code || !units[code]) {
      tip.textContent = "";
      tip.classList.remove("shown");
      mark.setAttribute("d", "");
      return;
    }
    const shape = svg.querySelector('path[data-c="' + CSS.escape(code) + '"]');
    mark.setAttribute("d", shape ? shape.getAttribute("d") : "");
    tip.textContent = units[code] + (drillable.has(code) ? " · " + data.open : "");
    tip.classList.add("shown");
  }
  function open(code) {
    if (code && drillable.has(code)) setTriggerValue("drill", code);
  }
  svg.onpointermove = (e) => {
    if (e.pointerType === "mouse") show(unitOf(e.target), true);
  };
  svg.onpointerleave = (e) => {
    if (e.pointerType === "mouse" && document.activeElement !== svg) show(null);
  };
  svg.onpointerdown = (e) => {
    pointer = e.pointerType || "mouse";
  };
  svg.ontouchstart = () => {
    pointer = "touch";
  };
  svg.onclick = (e) => {
    const code = unitOf(e.target);
    if (!code) return;
    // a tap first shows the unit; the second tap on it opens it (a mouse opens at once)
    const touched =
      pointer !== "mouse" || (e.sourceCapabilities && e.sourceCapabilities.firesTouchEvents);
    pointer = "mouse";
    if (touched && current !== code) {
      show(code, true);
      return;
    }
    open(code);
  };
  svg.onfocus = () => {
    // focus from the keyboard starts at the lowest unit; a tap's focus shows the unit tapped
    if (!current && order.length && svg.matches(":focus-visible")) show(order[0], true);
  };
  if (data.ranking) listRanking();
  if (data.focus && root.dataset.focus !== data.focus) {
    // a unit picked in the ranking: shown as if pointed at, the map brought into view
    root.dataset.focus = data.focus;
    show(data.focus);
    svg.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  svg.onkeydown = (e) => {
    const i = order.indexOf(current);
    if (e.key === "ArrowRight" || e.key === "ArrowDown") {
      show(order[Math.min(order.length - 1, i + 1)], true);
    } else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
      show(order[Math.max(0, i - 1)], true);
    } else if (e.key === "Home") {
      show(order[0], true);
    } else if (e.key === "End") {
      show(order[order.length - 1], true);
    } else if (e.key === "Enter" || e.key === " ") {
      open(current);
    } else if (e.key === "Escape") {
      show(null);
      return;
    } else {
      return;
    }
    e.preventDefault();
  };

  function listRanking() {
    const w = data.ranking;
    const body = root.querySelector(".rank tbody");
    const input = root.querySelector(".rank input");
    const note = root.querySelector(".rank-note");
    const rowOf = (target) => (target && target.closest ? target.closest("tr[data-c]") : null);
    function fill() {
      const q = fold(input.value.trim());
      const found = q
        ? data.rows.filter((r) => fold(r[0]).includes(q) || String(r[data.code_at]).startsWith(q))
        : data.rows;
      const rows = document.createDocumentFragment();
      for (const r of found.slice(0, w.max)) {
        const tr = document.createElement("tr");
        tr.dataset.c = r[data.code_at];
        tr.tabIndex = 0;
        r.forEach((v, i) => {
          const td = document.createElement("td");
          if (i) td.dataset.h = data.head[i];
          td.textContent = v;
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      }
      body.replaceChildren(rows);
      note.textContent = !found.length ? w.none : found.length > w.max ? w.capped : "";
      mark_row(current);
    }
    // The row of the unit shown is marked; a unit shown on the map brings its row into the
    // list's view, scrolling the list only (the page stays under the reader's pointer).
    function mark_row(code, fromMap) {
      for (const tr of body.querySelectorAll("tr.on")) tr.classList.remove("on");
      const tr = code ? body.querySelector('tr[data-c="' + CSS.escape(code) + '"]') : null;
      if (!tr) return;
      tr.classList.add("on");
      if (!fromMap) return;
      const box = body.closest(".scroll");
      const b = box.getBoundingClientRect();
      const r = tr.getBoundingClientRect();
      const top = b.top + root.querySelector(".rank thead").offsetHeight; // under the sticky head
      if (r.top >= top && r.bottom <= b.bottom) return;
      box.scrollTop += r.top < top ? r.top - top : r.bottom - b.bottom;
      body.ektpStill = true; // rows slid under a mouse that did not move: not pointed at
    }
    markRow = mark_row;
    // The page scrolls to the map after a pick, which slides other rows under a mouse that did
    // not move: hover follows the mouse again only once it moves (kept on the element, as this
    // function runs again with each answer of the page).
    function pick(code) {
      show(code);
      mark_row(code);
      root.dataset.focus = code; // the page's answer (its focus) is this unit: not shown again
      body.ektpStill = true;
      svg.scrollIntoView({ block: "nearest", behavior: "smooth" });
      setTriggerValue("pick", code);
    }
    if (body.dataset.filled !== data.key) {
      body.dataset.filled = data.key;
      fill();
    }
    input.oninput = fill;
    body.onpointermove = (e) => {
      if (e.movementX || e.movementY) body.ektpStill = false;
    };
    body.onpointerover = (e) => {
      const tr = rowOf(e.target);
      if (tr && e.pointerType === "mouse" && !body.ektpStill) show(tr.dataset.c);
    };
    body.onfocusin = (e) => {
      const tr = rowOf(e.target);
      if (tr) show(tr.dataset.c);
    };
    body.onclick = (e) => {
      const tr = rowOf(e.target);
      if (tr) pick(tr.dataset.c);
    };
    body.onkeydown = (e) => {
      const tr = rowOf(e.target);
      if (!tr) return;
      if (e.key === "Enter" || e.key === " ") {
        pick(tr.dataset.c);
      } else if (e.key === "ArrowDown" && tr.nextElementSibling) {
        tr.nextElementSibling.focus();
      } else if (e.key === "ArrowUp" && tr.previousElementSibling) {
        tr.previousElementSibling.focus();
      } else {
        return;
      }
      e.preventDefault();
    };
  }
}
