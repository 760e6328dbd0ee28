// "My work" for volunteers and caseworkers: offers to answer, cases I lead (notes and the
// working steps), and the reports I made with where each stands.

import { ApiError, call, meta } from "./api.js";
import { showTime } from "./dates.js";
import { language, t } from "./i18n.js";
import { field, h, show } from "./ui.js";

// The steps a lead takes on a case in hand (the lifecycle allows the lead exactly these).
const STEPS = {
  in_progress: ["awaiting_client", "resolved"],
  awaiting_client: ["in_progress"],
  screened: ["in_progress"],
};

function label(items, code) {
  return items.find((item) => item.code === code)?.label ?? code;
}

function problemText(error) {
  if (error instanceof ApiError) {
    return error.problem?.errors?.map((e) => e.detail).join(" ") || error.message;
  }
  return t("network.offline");
}

function offerItem(offer, refresh) {
  const message = h("p", { class: "error", role: "alert" });
  const reason = h("input", { name: "reason", maxlength: 500 });
  const answer = async (path, body) => {
    try {
      await call(`offers/${offer.id}/${path}`, { method: "POST", body });
      await refresh();
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  return h("li", { class: "card", dataset: { offer: offer.id } },
    h("p", {}, h("strong", {}, offer.case_reference), " · ", t("work.offer_expires", { time: showTime(offer.expires_at, language()) })),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => answer("accept") }, t("work.accept")),
      field(t("work.decline_reason"), reason),
      h("button", { type: "button", onclick: () => answer("decline", { reason: reason.value.trim() }) }, t("work.decline"))),
    message);
}

function caseItem(summary, labels, refresh, { lead }) {
  const message = h("p", { class: "error", role: "alert" });
  const note = h("textarea", { name: "note", rows: 2, maxlength: 4000 });
  const item = h("li", { class: "card", dataset: { case: summary.id, status: summary.status } },
    h("p", {},
      h("strong", {}, summary.reference), " · ",
      h("span", { class: "status" }, label(labels.statuses, summary.status)), " · ",
      label(labels.urgencies, summary.urgency)),
    h("p", { class: "hint" }, summary.categories.map((c) => label(labels.categories, c)).join(", ")));
  if (!lead) return item;

  const step = async (to) => {
    try {
      const current = await call(`cases/${summary.id}`);
      await call(`cases/${summary.id}/transitions`, {
        method: "POST",
        body: { to },
        headers: { "If-Match": current.headers.get("ETag") },
      });
      await refresh();
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  const addNote = async () => {
    if (!note.value.trim()) return;
    try {
      await call(`cases/${summary.id}/notes`, { method: "POST", body: { body: note.value.trim() } });
      note.value = "";
      message.textContent = t("work.note_added");
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  item.append(
    field(t("work.note"), note),
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: addNote }, t("work.add_note")),
      ...(STEPS[summary.status] || []).map((to) =>
        h("button", { type: "button", dataset: { step: to }, onclick: () => step(to) }, t("work.step", { status: label(labels.statuses, to) })))),
    message);
  return item;
}

function list(title, items, empty) {
  return h("section", {}, h("h2", {}, title), items.length ? h("ul", { class: "cards" }, items) : h("p", { class: "hint" }, empty));
}

export async function render() {
  const labels = Object.fromEntries(await Promise.all(
    ["statuses", "urgencies", "categories"].map(async (name) => [name, await meta(name).catch(() => [])])));
  const refresh = render;
  let offers = [], leading = [], reported = [];
  try {
    [offers, leading, reported] = await Promise.all([
      call("me/offers").then((r) => r.body.items.filter((o) => o.status === "pending")),
      call("cases?lead=me&status=screened&status=in_progress&status=awaiting_client&status=referred").then((r) => r.body.items),
      call("cases?reporter=me").then((r) => r.body.items),
    ]);
  } catch (error) {
    show("work", h("h1", {}, t("work.title")), h("p", { class: "error", role: "alert" }, problemText(error)));
    return;
  }
  show("work",
    h("h1", {}, t("work.title")),
    list(t("work.offers"), offers.map((o) => offerItem(o, refresh)), t("work.none")),
    list(t("work.leading"), leading.map((c) => caseItem(c, labels, refresh, { lead: true })), t("work.none")),
    list(t("work.reported"), reported.map((c) => caseItem(c, labels, refresh, { lead: false })), t("work.none")));
}
