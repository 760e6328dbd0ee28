// The volunteer's report: a short guided form, kept as a draft while it is typed, queued on the
// phone when finished and sent by the outbox (`outbox.js`) whenever the server is reachable.

import { meta } from "./api.js";
import { beToIso, isoToBe, yearBeToCe } from "./dates.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { getSealed, putSealed, raw } from "./store.js";
import { clearErrors, field, h, select, show, showErrors } from "./ui.js";

const DRAFT = "intake";

function input(pointer, attributes = {}) {
  return h("input", { name: pointer, type: "text", autocomplete: "off", ...attributes });
}

function checkbox(pointer) {
  return h("input", { name: pointer, type: "checkbox" });
}

function choices(pointer, items) {
  const group = h("div", { class: "choices", role: "group", dataset: { pointer } });
  group.id = `group-${pointer.replaceAll("/", "-")}`;
  for (const item of items) {
    const id = `${group.id}-${item.code}`;
    group.append(
      h("div", { class: "choice" },
        h("input", { type: "checkbox", id, name: pointer, value: item.code }),
        h("label", { for: id }, item.label)),
    );
  }
  return group;
}

function group(label, control, pointer) {
  const error = h("p", { class: "error", id: `${control.id}-error`, role: "alert", hidden: true });
  control.setAttribute("aria-describedby", error.id);
  return h("fieldset", { class: "field" }, h("legend", {}, label), control, error);
}

function section(title, ...fields) {
  return h("section", { class: "step" }, h("h2", {}, title), ...fields);
}

async function labels() {
  const names = ["categories", "urgencies", "target-groups", "id-types", "genders", "countries",
    "provinces", "reporter-relationships", "consent-statuses"];
  const lists = await Promise.all(names.map((name) => meta(name).catch(() => [])));
  return Object.fromEntries(names.map((name, i) => [name, lists[i]]));
}

function areaPickers(form, provinces) {
  const province = select("/location/province_code", provinces, { blank: t("intake.choose") });
  const district = select("/location/district_code", [], { blank: t("intake.choose") });
  const subdistrict = select("/location/subdistrict_code", [], { blank: t("intake.choose") });
  const postal = input("/location/postal_code", { inputmode: "numeric", maxlength: 5, pattern: "[0-9]{5}" });
  let postalCodes = new Map();
  const fillSelect = (control, items) => {
    control.replaceChildren(h("option", { value: "" }, t("intake.choose")),
      ...items.map((item) => h("option", { value: item.code }, item.name)));
  };
  province.addEventListener("change", async () => {
    fillSelect(district, []);
    fillSelect(subdistrict, []);
    if (province.value) fillSelect(district, await meta(`provinces/${province.value}/districts`).catch(() => []));
  });
  district.addEventListener("change", async () => {
    fillSelect(subdistrict, []);
    if (!district.value) return;
    const items = await meta(`districts/${district.value}/subdistricts`).catch(() => []);
    postalCodes = new Map(items.map((item) => [item.code, item.postal_codes]));
    fillSelect(subdistrict, items);
  });
  subdistrict.addEventListener("change", () => {
    const codes = postalCodes.get(subdistrict.value) || [];
    if (codes.length === 1) postal.value = codes[0];
  });
  // Restoring a draft: choose the saved codes once their lists have loaded.
  form.restoreArea = async (location = {}) => {
    province.value = location.province_code || "";
    if (!province.value) return;
    fillSelect(district, await meta(`provinces/${province.value}/districts`).catch(() => []));
    district.value = location.district_code || "";
    if (district.value) {
      const items = await meta(`districts/${district.value}/subdistricts`).catch(() => []);
      postalCodes = new Map(items.map((item) => [item.code, item.postal_codes]));
      fillSelect(subdistrict, items);
      subdistrict.value = location.subdistrict_code || "";
    }
  };
  return [
    field(t("intake.location.province_code"), province),
    field(t("intake.location.district_code"), district),
    field(t("intake.location.subdistrict_code"), subdistrict),
    field(t("intake.location.postal_code"), postal),
  ];
}

function buildForm(lists) {
  const form = h("form", { class: "intake", novalidate: true });
  const idType = select("/client/id_type", lists["id-types"], { value: "unknown" });
  const idNumber = input("/client/id_number", { inputmode: "numeric", maxlength: 32 });
  idType.addEventListener("change", () => {
    idNumber.inputMode = idType.value === "passport" ? "text" : "numeric";
  });
  form.append(
    h("p", { class: "form-message", role: "status", "aria-live": "polite" }),
    section(t("intake.step.what"),
      field(t("intake.summary"), h("textarea", { name: "/summary", rows: 4, maxlength: 4000, required: true })),
      group(t("intake.categories"), choices("/categories", lists.categories)),
      field(t("intake.immediate_danger"), checkbox("/immediate_danger")),
      field(t("intake.urgency"), select("/urgency", lists.urgencies, { blank: t("intake.urgency.auto") })),
      group(t("intake.target_groups"), choices("/target_groups", lists["target-groups"]))),
    section(t("intake.step.who"),
      field(t("intake.client.title"), input("/client/title", { maxlength: 50 })),
      field(t("intake.client.first_name"), input("/client/first_name", { maxlength: 100 })),
      field(t("intake.client.last_name"), input("/client/last_name", { maxlength: 100 })),
      field(t("intake.client.nickname"), input("/client/nickname", { maxlength: 100 })),
      field(t("intake.client.id_type"), idType),
      field(t("intake.client.id_number"), idNumber),
      field(t("intake.client.birth_date"), input("/client/birth_date", { inputmode: "numeric", placeholder: "31/12/2510" })),
      field(t("intake.client.birth_year"), input("/client/birth_year", { inputmode: "numeric", maxlength: 4 })),
      field(t("intake.client.age_estimate"), input("/client/age_estimate", { inputmode: "numeric", maxlength: 3 })),
      field(t("intake.client.gender"), select("/client/gender", lists.genders, { blank: t("intake.choose") })),
      field(t("intake.client.phone"), input("/client/phone", { type: "tel", inputmode: "tel", autocomplete: "off" })),
      field(t("intake.client.nationality"), input("/client/nationality", { maxlength: 64 })),
      field(t("intake.client.languages"), input("/client/languages")),
      field(t("intake.client.disability"), checkbox("/client/disability")),
      field(t("intake.client.pregnant"), checkbox("/client/pregnant"))),
    section(t("intake.step.where"),
      field(t("intake.location.country_code"), select("/location/country_code", lists.countries, { value: "TH" })),
      ...areaPickers(form, lists.provinces),
      field(t("intake.location.city"), input("/location/city", { maxlength: 100 })),
      field(t("intake.location.address"), h("textarea", { name: "/location/address", rows: 2, maxlength: 500 }))),
    section(t("intake.step.reporter"),
      field(t("intake.reporter.relationship"), select("/reporter/relationship", lists["reporter-relationships"], { blank: t("intake.choose") })),
      field(t("intake.reporter.name"), input("/reporter/name", { maxlength: 200 })),
      field(t("intake.reporter.phone"), input("/reporter/phone", { type: "tel", inputmode: "tel" })),
      field(t("intake.reporter.anonymous"), checkbox("/reporter/anonymous"))),
    section(t("intake.step.consent"),
      field(t("intake.consent.data_collection"), select("/consent/data_collection", lists["consent-statuses"], { blank: t("intake.choose") })),
      field(t("intake.consent.share_with_agencies"), checkbox("/consent/share_with_agencies")),
      field(t("intake.consent.guardian_name"), input("/consent/guardian_name", { maxlength: 200 }))),
    h("button", { type: "submit", class: "primary" }, t("intake.submit")),
  );
  for (const control of form.querySelectorAll("[name]")) {
    if (!control.closest(".choices")) control.dataset.pointer = control.name;
  }
  return form;
}

function setAt(target, pointer, value) {
  const parts = pointer.split("/").slice(1);
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)] = value;
}

function getAt(source, pointer) {
  return pointer.split("/").slice(1).reduce((node, part) => node?.[part], source);
}

const NUMBERS = new Set(["/client/age_estimate"]);

// The form as the API's body (values as typed for a draft; converted and checked for sending).
function collect(form, { check }) {
  const body = {};
  const errors = [];
  for (const control of form.querySelectorAll("[name]")) {
    const pointer = control.name;
    if (control.closest(".choices")) {
      if (control.checked) setAt(body, pointer, [...(getAt(body, pointer) || []), control.value]);
      continue;
    }
    if (control.type === "checkbox") {
      if (control.checked) setAt(body, pointer, true);
      continue;
    }
    const value = control.value.trim();
    if (!value) continue;
    if (!check) {
      setAt(body, pointer, value);
    } else if (pointer === "/client/birth_date") {
      const iso = beToIso(value);
      if (iso) setAt(body, pointer, iso);
      else errors.push({ pointer, detail: t("intake.bad_date") });
    } else if (pointer === "/client/birth_year") {
      setAt(body, pointer, yearBeToCe(value) ?? Number(value));
    } else if (NUMBERS.has(pointer)) {
      setAt(body, pointer, Number(value));
    } else if (pointer === "/client/languages") {
      setAt(body, pointer, value.split(",").map((s) => s.trim()).filter(Boolean));
    } else {
      setAt(body, pointer, value);
    }
  }
  if (check) {
    for (const pointer of ["/summary", "/categories", "/reporter/relationship", "/consent/data_collection"]) {
      if (getAt(body, pointer) === undefined) errors.push({ pointer, detail: t("intake.required") });
    }
    body.channel = "mobile";
    body.reporter ??= {};
  }
  return { body, errors };
}

// Put a draft (as typed) or a refused report (as sent) back into the form.
async function fill(form, body, { sent }) {
  for (const control of form.querySelectorAll("[name]")) {
    let value = getAt(body, control.name);
    if (control.closest(".choices")) control.checked = (value || []).includes(control.value);
    else if (control.type === "checkbox") control.checked = Boolean(value);
    else if (value !== undefined && !control.name.startsWith("/location/") ) {
      if (sent && control.name === "/client/birth_date") value = isoToBe(value);
      if (sent && control.name === "/client/birth_year") value = Number(value) + 543;
      if (Array.isArray(value)) value = value.join(", ");
      control.value = String(value);
    }
  }
  const location = body.location || {};
  for (const name of ["country_code", "postal_code", "city", "address"]) {
    const control = form.querySelector(`[name="/location/${name}"]`);
    if (location[name] !== undefined) control.value = location[name];
  }
  await form.restoreArea(location);
}

async function openDraft() {
  const found = await getSealed("drafts", DRAFT);
  if (found) return found;
  return { key: crypto.randomUUID(), clientReference: crypto.randomUUID(), body: {}, sent: false };
}

function outboxPanel() {
  const panel = h("section", { class: "outbox", "aria-labelledby": "outbox-title" });
  const render = async () => {
    const entries = await outbox.list();
    const waiting = entries.filter((e) => e.state !== "sent");
    panel.replaceChildren(
      h("h2", { id: "outbox-title" }, t("outbox.title")),
      h("p", { class: "outbox-count", dataset: { count: waiting.length } },
        waiting.length ? t("outbox.count", { count: waiting.length }) : t("outbox.empty")),
      h("ul", {}, entries.map((entry) =>
        h("li", { class: `entry ${entry.state}`, dataset: { state: entry.state } },
          h("span", { class: "state" }, t(`outbox.state.${entry.state}`)),
          entry.reference ? h("span", { class: "reference" }, ` ${entry.reference}`) : null,
          entry.state === "queued" && entry.attempts
            ? h("span", { class: "hint" }, ` ${t("outbox.next_try", { time: new Date(entry.nextAttemptAt).toLocaleTimeString() })}`)
            : null,
          entry.state === "needs_fix"
            ? h("button", { type: "button", class: "link", onclick: () => correct(entry.id) }, t("outbox.edit"))
            : null))),
      waiting.length
        ? h("button", { type: "button", class: "send-now", onclick: () => outbox.sendNow() }, t("outbox.send_now"))
        : null,
    );
  };
  outbox.onChange(render);
  render();
  return panel;
}

async function correct(id) {
  const { report, problem } = await outbox.held(id);
  await putSealed("drafts", DRAFT, { key: id, clientReference: report.client_reference, body: report, sent: true, problem });
  await outbox.remove(id);
  await render();
}

export async function render() {
  const lists = await labels();
  const draft = await openDraft();
  const form = buildForm(lists);
  const message = form.querySelector(".form-message");
  show("intake", h("h1", {}, t("intake.title")), form, outboxPanel());
  await fill(form, draft.body, { sent: draft.sent });
  if (draft.problem?.errors) showErrors(form, draft.problem.errors, (text) => { message.textContent = text; });

  let saving = null;
  form.addEventListener("input", () => {
    clearTimeout(saving);
    saving = setTimeout(async () => {
      await putSealed("drafts", DRAFT, { ...draft, body: collect(form, { check: false }).body, sent: false, problem: null });
    }, 300);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(saving);
    clearErrors(form);
    const { body, errors } = collect(form, { check: true });
    if (errors.length) {
      message.textContent = t("intake.fix");
      showErrors(form, errors, (text) => { message.textContent = text; });
      return;
    }
    body.client_reference = draft.clientReference;
    await outbox.enqueue(body, draft.key);
    await raw.delete("drafts", DRAFT);
    await render();
    document.querySelector(".form-message").textContent = t("intake.queued");
    outbox.process();
  });
}
