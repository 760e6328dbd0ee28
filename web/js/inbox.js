// The agency's inbox: its organization's referrals, what each shares, and the answers.

import { ApiError, call, meta } from "./api.js";
import { showTime } from "./dates.js";
import { language, t } from "./i18n.js";
import { field, h, show } from "./ui.js";

const ANSWERS = { requested: ["accept", "decline"], accepted: ["complete", "fail"] };
const NEEDS_REASON = new Set(["decline", "fail"]);

function problemText(error) {
  if (error instanceof ApiError) return error.problem?.errors?.map((e) => e.detail).join(" ") || error.message;
  return t("network.offline");
}

function sharedPart(title, rows) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && !value.length));
  if (!shown.length) return null;
  return h("section", { class: "shared" }, h("h3", {}, title),
    h("dl", {}, shown.flatMap(([name, value]) => [h("dt", {}, t(name)), h("dd", {}, Array.isArray(value) ? value.join(", ") : String(value))])));
}

function labelled(items, codes) {
  const one = (code) => items.find((item) => item.code === code)?.label ?? code;
  return Array.isArray(codes) ? codes.map(one) : one(codes);
}

function sharedCase(shared, labels) {
  return [
    shared.summary && sharedPart(t("inbox.group.summary"), [
      ["inbox.summary", shared.summary.summary],
      ["inbox.categories", labelled(labels.categories, shared.summary.categories)],
      ["inbox.urgency", labelled(labels.urgencies, shared.summary.urgency)]]),
    shared.contact && sharedPart(t("inbox.group.contact"), [
      ["intake.client.nickname", shared.contact.nickname], ["intake.client.phone", shared.contact.phone], ["intake.client.languages", shared.contact.languages]]),
    shared.identity && sharedPart(t("inbox.group.identity"), [
      ["intake.client.first_name", shared.identity.first_name], ["intake.client.last_name", shared.identity.last_name],
      ["intake.client.id_number", shared.identity.id_number], ["intake.client.gender", shared.identity.gender], ["inbox.age", shared.identity.age]]),
    shared.location && sharedPart(t("inbox.group.location"), [
      ["intake.location.province_code", shared.location.province_code], ["intake.location.district_code", shared.location.district_code],
      ["intake.location.address", shared.location.address]]),
    shared.notes && sharedPart(t("inbox.group.notes"), shared.notes.map((note) => ["inbox.note", note.body])),
  ].filter(Boolean);
}

async function open(referral, item) {
  const details = item.querySelector(".details");
  try {
    const [shared, categories, urgencies] = await Promise.all([
      call(`referrals/${referral.id}/case`).then((r) => r.body),
      meta("categories").catch(() => []),
      meta("urgencies").catch(() => []),
    ]);
    details.replaceChildren(...sharedCase(shared, { categories, urgencies }));
  } catch (error) {
    details.replaceChildren(h("p", { class: "error", role: "alert" }, problemText(error)));
  }
}

function referralItem(referral) {
  const message = h("p", { class: "error", role: "alert" });
  const reason = h("input", { name: "reason", maxlength: 500 });
  const answer = async (kind) => {
    const body = NEEDS_REASON.has(kind) ? { reason: reason.value.trim() } : undefined;
    try {
      await call(`referrals/${referral.id}/${kind}`, { method: "POST", body });
      await render();
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  const answers = ANSWERS[referral.status] || [];
  const item = h("li", { class: "card", dataset: { referral: referral.id, status: referral.status } },
    h("p", {}, h("strong", {}, referral.case_reference), " · ", referral.service_name, " · ",
      h("span", { class: "status" }, t(`inbox.status.${referral.status}`))),
    h("p", { class: "hint" }, t("inbox.due", { time: showTime(referral.response_due_at, language()) }), referral.overdue ? ` · ${t("inbox.overdue")}` : ""),
    h("p", {}, referral.reason),
    h("button", { type: "button", class: "link", onclick: () => open(referral, item) }, t("inbox.show")),
    h("div", { class: "details" }));
  if (answers.length) {
    item.append(
      answers.some((a) => NEEDS_REASON.has(a)) ? field(t("inbox.reason"), reason) : "",
      h("div", { class: "actions" }, answers.map((kind) =>
        h("button", { type: "button", class: kind === "accept" || kind === "complete" ? "primary" : "", dataset: { answer: kind }, onclick: () => answer(kind) }, t(`inbox.${kind}`)))),
      message);
  }
  return item;
}

export async function render() {
  let referrals = [];
  try {
    referrals = (await call("referrals")).body.items;
  } catch (error) {
    show("inbox", h("h1", {}, t("nav.inbox")), h("p", { class: "error", role: "alert" }, problemText(error)));
    return;
  }
  show("inbox", h("h1", {}, t("nav.inbox")),
    referrals.length ? h("ul", { class: "cards" }, referrals.map(referralItem)) : h("p", { class: "hint" }, t("work.none")));
}
