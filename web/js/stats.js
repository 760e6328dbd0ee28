// Statistics of a period as bar charts (SVG built here, no library) and tables, with the
// CSV export the API records.

import { API, ApiError, call, meta } from "./api.js";
import { beToIso, isoToBe } from "./dates.js";
import { language, t } from "./i18n.js";
import { accessToken } from "./session.js";
import { field, h, show } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

// Horizontal bars, one per count, labelled; the numbers are also in the text for screen readers.
function bars(title, counts, label = (key) => key) {
  const rows = counts.slice(0, 15);
  const most = Math.max(1, ...rows.map((row) => row.cases));
  const rowHeight = 26;
  const chart = svg("svg", { viewBox: `0 0 360 ${rows.length * rowHeight + 4}`, role: "img", "aria-label": title, class: "chart" },
    ...rows.flatMap((row, i) => {
      const y = i * rowHeight + 2;
      const width = Math.max(2, (row.cases / most) * 150);
      return [
        svg("text", { x: 0, y: y + 17, class: "chart-label" }, String(label(row.key)).slice(0, 26)),
        svg("rect", { x: 170, y: y + 4, width, height: 16, rx: 3, class: "chart-bar" }),
        svg("text", { x: 176 + width, y: y + 17, class: "chart-value" }, String(row.cases)),
      ];
    }));
  return h("section", { class: "stat" }, h("h2", {}, title), rows.length ? chart : h("p", { class: "hint" }, t("work.none")));
}

function hours(seconds) {
  return seconds === null || seconds === undefined ? "–" : (seconds / 3600).toFixed(1);
}

function table(title, head, rows) {
  if (!rows?.length) return null;
  return h("section", { class: "stat" }, h("h2", {}, title),
    h("table", {}, h("thead", {}, h("tr", {}, head.map((cell) => h("th", { scope: "col" }, cell)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell)))))));
}

async function download(from, to, message) {
  const token = await accessToken();
  const response = await fetch(`${API}/stats?from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: "text/csv", "Accept-Language": language() },
  });
  if (!response.ok) {
    message.textContent = t("stats.export_failed");
    return;
  }
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: `onestop-stats-${from}-${to}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

export async function render({ from, to } = {}) {
  const today = new Date().toISOString().slice(0, 10);
  to ??= today;
  from ??= `${today.slice(0, 8)}01`;
  const fromInput = h("input", { name: "from", inputmode: "numeric", value: isoToBe(from) });
  const toInput = h("input", { name: "to", inputmode: "numeric", value: isoToBe(to) });
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "period" }, field(t("stats.from"), fromInput), field(t("stats.to"), toInput),
    h("button", { type: "submit", class: "primary" }, t("stats.show")),
    h("button", { type: "button", onclick: () => download(from, to, message) }, t("stats.export")), message);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosenFrom = beToIso(fromInput.value);
    const chosenTo = beToIso(toInput.value);
    if (!chosenFrom || !chosenTo) {
      message.textContent = t("intake.bad_date");
      return;
    }
    render({ from: chosenFrom, to: chosenTo });
  });
  let stats;
  const [categories, urgencies, statuses] = await Promise.all(
    ["categories", "urgencies", "statuses"].map((name) => meta(name).catch(() => [])));
  const labelOf = (items) => (key) => items.find((item) => item.code === key)?.label ?? key;
  try {
    stats = (await call(`stats?from=${from}&to=${to}`)).body;
  } catch (error) {
    show("stats", h("h1", {}, t("stats.title")), form,
      h("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : t("network.offline")));
    return;
  }
  show("stats", h("h1", {}, t("stats.title")), form,
    h("p", { class: "total" }, t("stats.total", { count: stats.cases })),
    bars(t("stats.by_category"), stats.by_category, labelOf(categories)),
    bars(t("stats.by_urgency"), stats.by_urgency, labelOf(urgencies)),
    bars(t("stats.by_status"), stats.by_status, labelOf(statuses)),
    bars(t("stats.by_week"), stats.by_week),
    bars(t("stats.by_region"), stats.by_region),
    table(t("stats.durations"), [t("stats.deadline"), t("stats.clock"), t("stats.cases"), t("stats.median_h"), t("stats.p90_h")],
      stats.durations?.map((d) => [t(`board.deadline.${d.deadline}`), t(`stats.clock.${d.clock}`), d.cases, hours(d.median_seconds), hours(d.p90_seconds)])),
    table(t("stats.sla"), [t("intake.urgency"), t("stats.deadline"), t("stats.met"), t("stats.decided"), "%"],
      stats.sla?.map((s) => [labelOf(urgencies)(s.urgency), t(`board.deadline.${s.deadline}`), s.met, s.decided, s.compliance === null ? "–" : (s.compliance * 100).toFixed(0)])),
    table(t("stats.referrals"), [t("stats.agency"), t("stats.referrals_sent"), t("stats.accepted"), t("stats.median_answer_h")],
      stats.referrals?.map((r) => [r.organization_name, r.referrals, r.accepted, hours(r.median_answer_seconds)])));
}
