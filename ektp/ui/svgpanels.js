// Small multiples (ektp.mapview.panels) in the page: the view's shapes come once, and each
// panel is a copy of them filled with its date's classes, so twelve dates cost one map's shapes.
// A unit's words (its name, figure and date) show under the panels on hover, tap or focus.

export default function (component) {
  const { data, parentElement } = component;
  let root = parentElement.querySelector(".ektp-panels");
  if (!root) {
    root = document.createElement("div");
    root.className = "ektp-panels";
    parentElement.appendChild(root);
  }
  if (root.dataset.key === data.key) return;
  root.dataset.key = data.key;
  // text goes in as text; the shapes and the legend are the server's own markup (escaped there)
  root.innerHTML =
    '<p class="title"></p><div class="grid"></div><p class="tip" role="status" aria-live="polite"></p>' +
    '<p class="hint"></p>' +
    data.legend +
    '<p class="source"></p>';
  root.querySelector(".title").textContent = data.title;
  root.querySelector(".source").textContent = data.source;
  root.querySelector(".hint").textContent = data.hint;
  const grid = root.querySelector(".grid");
  const tip = root.querySelector(".tip");
  const template = document.createElement("template");
  template.innerHTML = data.shapes;
  const shapes = template.content.querySelector("svg");
  for (const panel of data.panels) {
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = panel.date;
    const map = shapes.cloneNode(true);
    map.setAttribute("aria-label", panel.label);
    map.querySelectorAll("path[data-c]").forEach((path, i) => {
      // the shapes are in `codes` order, and each panel's fills and words with them: a fill is
      // an index into the palette; words come after the unit's name, or whole ([words]), or,
      // for a unit without a figure that date, are its code (ektp.mapview.panels.tip_text)
      const said = panel.tips[i];
      path.setAttribute("fill", data.palette[panel.fills[i]]);
      path.querySelector("title").textContent =
        said === null ? data.codes[i] : Array.isArray(said) ? said[0] : data.names[i] + ": " + said;
    });
    figure.append(caption, map);
    grid.appendChild(figure);
  }
  const maps = [...grid.querySelectorAll("figure > svg")];
  let current = null; // the unit said: [panel, unit] (indexes into maps and codes)
  function say(k, i) {
    const path = maps[k].querySelectorAll("path[data-c]")[i];
    if (!path) return;
    current = [k, i];
    for (const on of grid.querySelectorAll("path.on")) on.classList.remove("on");
    path.classList.add("on"); // the unit said under the panels, outlined in its panel
    tip.textContent = data.panels[k].date + " · " + path.querySelector("title").textContent;
    tip.classList.add("shown");
  }
  function show(e) {
    const path = e.target.closest ? e.target.closest("path[data-c]") : null;
    if (!path) return;
    const k = maps.indexOf(path.ownerSVGElement);
    say(k, [...maps[k].querySelectorAll("path[data-c]")].indexOf(path));
  }
  grid.onpointerover = show;
  grid.onclick = show;
  // The keyboard: Tab to a panel; left and right walk its units, up and down show the same unit
  // on the date before or after (the unit's change, date by date), Escape clears.
  const n = data.codes.length;
  maps.forEach((map, k) => {
    map.setAttribute("tabindex", "0");
    map.onfocus = () => {
      if (map.matches(":focus-visible")) say(k, current ? current[1] : 0);
    };
    map.onkeydown = (e) => {
      const i = current && current[0] === k ? current[1] : 0;
      let to = null;
      if (e.key === "ArrowRight") to = [k, (i + 1) % n];
      else if (e.key === "ArrowLeft") to = [k, (i - 1 + n) % n];
      else if (e.key === "ArrowDown" && k + 1 < maps.length) to = [k + 1, i];
      else if (e.key === "ArrowUp" && k > 0) to = [k - 1, i];
      else if (e.key === "Escape") {
        current = null;
        tip.textContent = "";
        tip.classList.remove("shown");
        for (const on of grid.querySelectorAll("path.on")) on.classList.remove("on");
      } else return;
      e.preventDefault();
      if (!to) return;
      current = to;
      if (to[0] !== k) maps[to[0]].focus();
      say(to[0], to[1]);
    };
  });
}
