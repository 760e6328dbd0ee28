// The supervisors' board: the queues of what waits for someone, kept current by the live stream.

import { ApiError, call, meta } from "./api.js";
import { showTime } from "./dates.js";
import { language, t } from "./i18n.js";
import { follow } from "./stream.js";
import { h, show } from "./ui.js";

let following = null;

function duration(seconds) {
  const minutes = Math.round(Math.abs(seconds) / 60);
  if (minutes < 60) return t("board.minutes", { n: minutes });
  const hours = Math.round(minutes / 6) / 10;
  if (hours < 48) return t("board.hours", { n: hours });
  return t("board.days", { n: Math.round(hours / 24) });
}

function labelOf(items, code) {
  return items.find((item) => item.code === code)?.label ?? code;
}

// Each queue: its route, and how one of its items reads on the board.
function queues(labels) {
  const urgency = (item) => h("span", { class: `urgency ${item.urgency}` }, labelOf(labels.urgencies, item.urgency));
  return [
    { key: "breached", path: "queues/breached", line: (i) => [h("strong", {}, i.case_reference ?? i.reference), " · ", urgency(i), " · ", t(`board.deadline.${i.deadline}`), " · ", t("board.overdue", { time: duration(i.seconds_overdue ?? 0) })] },
    { key: "at_risk", path: "queues/at-risk", line: (i) => [h("strong", {}, i.case_reference ?? i.reference), " · ", urgency(i), " · ", t(`board.deadline.${i.deadline}`), " · ", t("board.left", { time: duration(i.seconds_left ?? 0) })] },
    { key: "unassigned", path: "queues/unassigned", line: (i) => [h("strong", {}, i.reference), " · ", urgency(i), " · ", labelOf(labels.statuses, i.status), " · ", t("board.waiting", { time: duration(i.waiting_seconds) }), i.offered_to_name ? ` · ${t("board.offered_to", { name: i.offered_to_name })}` : ""] },
    { key: "escalated", path: "queues/escalated", line: (i) => [h("strong", {}, i.case_reference ?? i.reference), " · ", urgency(i), " · ", showTime(i.escalated_at, language())] },
    { key: "offers", path: "queues/offers", line: (i) => [h("strong", {}, i.case_reference), " · ", i.user_name, " · ", t("board.waiting", { time: duration(i.waiting_seconds) }), i.expired ? ` · ${t("board.expired")}` : ""] },
    { key: "referrals", path: "queues/referrals", line: (i) => [h("strong", {}, i.case_reference), " · ", i.organization_name, " · ", t("board.waiting", { time: duration(i.waiting_seconds) }), i.past_deadline ? ` · ${t("board.past_deadline")}` : ""] },
    { key: "workload", path: "queues/workload", line: (i) => [h("strong", {}, i.display_name), " · ", t("board.load", { cases: i.open_cases, offers: i.pending_offers, capacity: i.capacity }), i.available === false || i.on_leave ? ` · ${t("board.away")}` : ""] },
  ];
}

async function fill(section, queue) {
  const list = section.querySelector("ul");
  const count = section.querySelector(".count");
  try {
    const { body } = await call(`${queue.path}?limit=20`);
    list.replaceChildren(...body.items.map((item) =>
      h("li", { class: "card", dataset: { case: item.case_id ?? item.id } }, queue.line(item))));
    count.textContent = body.items.length + (body.next_cursor ? "+" : "");
    section.dataset.count = body.items.length;
  } catch (error) {
    list.replaceChildren(h("li", { class: "error" }, error instanceof ApiError ? error.message : t("network.offline")));
  }
}

export async function render() {
  following?.abort();
  const labels = Object.fromEntries(await Promise.all(
    ["urgencies", "statuses"].map(async (name) => [name, await meta(name).catch(() => [])])));
  const state = h("p", { class: "hint live", role: "status", "aria-live": "polite" });
  const latest = h("p", { class: "form-message", role: "status", "aria-live": "polite" });
  const sections = queues(labels).map((queue) => {
    const section = h("section", { class: "queue", dataset: { queue: queue.key } },
      h("h2", {}, t(`board.${queue.key}`), " ", h("span", { class: "count" }, "")),
      h("ul", { class: "cards" }));
    return [queue, section];
  });
  if (!show("board", h("h1", {}, t("nav.board")), state, latest, ...sections.map(([, section]) => section))) return;
  await Promise.all(sections.map(([queue, section]) => fill(section, queue)));

  let pending = null;
  const refresh = () => {
    clearTimeout(pending);
    pending = setTimeout(() => sections.forEach(([queue, section]) => fill(section, queue)), 300);
  };
  following = follow((message) => {
    if (!document.querySelector("main[data-view=board]")) {
      following?.abort();
      return;
    }
    if (message.event === "end") return;
    if (message.event === "reload") return refresh();
    try {
      const data = JSON.parse(message.data);
      latest.textContent = t("board.latest", { type: t(`board.event.${message.event}`), reference: data.case_reference ?? "" });
    } catch {
      // a message without JSON data: refresh anyway
    }
    refresh();
  }, { onState: (value) => { state.textContent = t(`board.stream.${value}`); } });
}
