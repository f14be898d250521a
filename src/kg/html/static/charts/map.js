// Map view: every province- and prefecture-level division of China as a faint dot (from
// the administrative-divisions dataset, GB/T 2260, via /ui/places.json), and a circle
// per result region, its area proportional to `value`. Regions without coordinates (the
// country itself) are listed under the map. A legend says what circles and dots are; the
// map opens framed on the results (a button shows all of China).

import { svg, el, val, localHref, formatNumber, textWidth, word, columnName } from "../ui.js";

const WIDTH = 720;
const PAD = 24;

/** An equirectangular projection fitted to the divisions' extent (cos of mid-latitude). */
export function projection(points, width = WIDTH) {
  const lons = points.map((p) => p[0]), lats = points.map((p) => p[1]);
  const [lon0, lon1, lat0, lat1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos(((lat0 + lat1) / 2) * Math.PI / 180);
  const scale = (width - 2 * PAD) / ((lon1 - lon0) * k);
  const height = Math.ceil((lat1 - lat0) * scale + 2 * PAD);
  return { height, at: (lon, lat) => [PAD + (lon - lon0) * k * scale, PAD + (lat1 - lat) * scale] };
}

/** Circles for the result rows that have coordinates (their own lat/lon columns, else the
 *  region's division), and the rows that have none. */
export function marks(bindings, places, { region, value }) {
  const placed = [], unplaced = [];
  for (const b of bindings) {
    const iri = val(b, region);
    const label = val(b, `${region}Label`) || val(b, "label") || iri;
    const own = val(b, "lat") && val(b, "lon") ? { lat: Number(val(b, "lat")), lon: Number(val(b, "lon")) } : null;
    const place = own || places.regions[iri];
    (place ? placed : unplaced).push({ iri, label, value: Number(val(b, value)) || 0, place });
  }
  return { placed, unplaced };
}

/** A label position that overlaps no label placed before (moved down a line at a time). */
export function freeSpot(boxes, box) {
  const hits = (b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y - box.h < b.y && b.y - b.h < box.y;
  for (let i = 0; i < 8 && boxes.some(hits); i += 1) box = { ...box, y: box.y + box.h };
  boxes.push(box);
  return box;
}

/** Draw the map into a container (fetches the places once per page). */
export async function draw(container, data, options, lang) {
  const places = await (await fetch("/ui/places.json")).json();
  if (!places.divisions.length) return;
  const { placed, unplaced } = marks(data.results.bindings, places, options);
  const around = framing(placed.map((m) => [m.place.lon, m.place.lat]), places.divisions);
  const frame = el("div", { class: "map-wrap" });
  const render = (whole) => frame.replaceChildren(chart(places, placed, whole || !around ? places.divisions : around, lang));
  render(false);
  const parts = [legend(options)];
  if (around) {
    const toggle = el("button", { type: "button", class: "map-toggle", "aria-pressed": "false", text: word("js_show_all") });
    toggle.addEventListener("click", () => {
      const whole = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(whole));
      render(whole);
    });
    parts.push(toggle);
  }
  parts.push(frame);
  if (unplaced.length) {
    parts.push(el("p", { class: "unplaced" }, word("js_no_coords"),
      unplaced.map((m, i) => [i ? ", " : "", el("a", { href: localHref(m.iri, lang), text: m.label }), ` ${formatNumber(m.value, lang)}`])));
  }
  parts.push(el("p", { class: "map-source", text: word("js_map_source") }));
  container.replaceChildren(...parts);
}

/** The corners of the area around the results (padded, at least 14° × 9°), as two points for
 *  the projection; null when there are no results or they spread over most of China. */
export function framing(points, divisions) {
  if (!points.length) return null;
  const lons = points.map((p) => p[0]), lats = points.map((p) => p[1]);
  const all = divisions.map((d) => d[0]);
  let [w, e, s, n] = [Math.min(...lons) - 2, Math.max(...lons) + 4, Math.min(...lats) - 2, Math.max(...lats) + 2];
  if (e - w < 14) { const c = (w + e) / 2; [w, e] = [c - 7, c + 7]; }
  if (n - s < 9) { const c = (s + n) / 2; [s, n] = [c - 4.5, c + 4.5]; }
  if (e - w > 0.8 * (Math.max(...all) - Math.min(...all))) return null;
  return [[w, s], [e, n]];
}

function chart(places, placed, extent, lang) {
  const { height, at } = projection(extent);
  const inside = (x, y) => x >= -20 && x <= WIDTH + 20 && y >= -20 && y <= height + 20;
  const root = svg("svg", { class: "map", width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: "group",
    "aria-label": word("js_chart_map", { n: placed.length }), "data-framed": String(extent !== places.divisions) });
  for (const [lon, lat, name, code] of places.divisions) {
    const [x, y] = at(lon, lat);
    if (!inside(x, y)) continue;
    const province = code.endsWith("0000");
    root.append(svg("circle", { cx: x, cy: y, r: province ? 2.4 : 1.4, class: province ? "capital" : "division" },
      svg("title", {}, name)));
    if (province) root.append(svg("text", { x: x + 4, y: y - 3, class: "division-name" }, name.replace(/(省|市|自治区|壮族|回族|维吾尔|特别行政区)+$/u, "")));
  }
  const max = Math.max(...placed.map((m) => m.value), 1);
  const boxes = [];
  for (const m of [...placed].sort((a, b) => b.value - a.value)) {
    const [x, y] = at(m.place.lon, m.place.lat);
    const r = 5 + 17 * Math.sqrt(m.value / max);
    const text = `${m.label} ${formatNumber(m.value, lang)}`;
    const box = freeSpot(boxes, { x: x + r + 3, y: y + 4, w: textWidth(text) * 12, h: 13 });
    root.append(svg("a", { href: localHref(m.iri, lang), class: "region-mark", "data-region": m.label, "data-value": m.value },
      svg("circle", { cx: x, cy: y, r, class: "region" }, svg("title", {}, `${m.label}: ${formatNumber(m.value, lang)}`)),
      svg("text", { x: box.x, y: box.y, class: "region-label" }, text)));
  }
  return root;
}

function legend(options) {
  const circle = svg("svg", { width: 18, height: 18, "aria-hidden": "true" }, svg("circle", { cx: 9, cy: 9, r: 7, class: "region" }));
  const dot = svg("svg", { width: 10, height: 10, "aria-hidden": "true" }, svg("circle", { cx: 5, cy: 5, r: 2.4, class: "capital" }));
  return el("ul", { class: "legend chart-legend" },
    el("li", {}, circle, " ", word("js_legend_circle"), ` (${word("js_value")}: ${columnName(options.value)})`),
    el("li", {}, dot, " ", word("js_legend_dot")));
}
