// The map of a view (ektp.mapview), interactive in the page without Plotly: the same SVG the
// reader page and the exports draw. A unit's details (its ranking row) show on hover, on a tap,
// and on keyboard focus; a click, a second tap or Enter opens the unit (drill down).
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
      '<p class="source"></p>';
    root.querySelector(".title").textContent = data.title;
    root.querySelector(".source").textContent = data.source;
    root.dataset.key = data.key;
    delete root.dataset.focus; // a new drawing: the picked unit is shown on it again
  }
  const svg = root.querySelector(":scope > svg"); // the map (the legend has small ones)
  const tip = root.querySelector(".tip");
  root.querySelector(".hint").textContent = data.hint;
  if (!svg) return;
  const order = data.order;
  const drillable = new Set(data.drill);
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
  function show(code) {
    current = code;
    if (!code || !data.units[code]) {
      tip.textContent = "";
      tip.classList.remove("shown");
      mark.setAttribute("d", "");
      return;
    }
    const shape = svg.querySelector('path[data-c="' + CSS.escape(code) + '"]');
    mark.setAttribute("d", shape ? shape.getAttribute("d") : "");
    tip.textContent = data.units[code] + (drillable.has(code) ? " · " + data.open : "");
    tip.classList.add("shown");
  }
  function open(code) {
    if (code && drillable.has(code)) setTriggerValue("drill", code);
  }
  svg.onpointermove = (e) => {
    if (e.pointerType === "mouse") show(unitOf(e.target));
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
      show(code);
      return;
    }
    open(code);
  };
  svg.onfocus = () => {
    // focus from the keyboard starts at the lowest unit; a tap's focus shows the unit tapped
    if (!current && order.length && svg.matches(":focus-visible")) show(order[0]);
  };
  if (data.focus && root.dataset.focus !== data.focus) {
    // a unit picked in the ranking: shown as if pointed at, the map brought into view
    root.dataset.focus = data.focus;
    show(data.focus);
    svg.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  svg.onkeydown = (e) => {
    const i = order.indexOf(current);
    if (e.key === "ArrowRight" || e.key === "ArrowDown") {
      show(order[Math.min(order.length - 1, i + 1)]);
    } else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
      show(order[Math.max(0, i - 1)]);
    } else if (e.key === "Home") {
      show(order[0]);
    } else if (e.key === "End") {
      show(order[order.length - 1]);
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
}
