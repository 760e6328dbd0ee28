// Building the page from data without ever parsing data as HTML.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let expected = null;

// The page the address asks for now. A page whose data arrives after the user has moved on
// (a slow intake form finishing after a click on the board) must not replace the newer page.
export function expect(view) {
  expected = view;
}

// Shows `view`; false, and nothing changed, when the address has moved to another page since.
export function show(view, ...children) {
  if (expected !== null && view !== expected) return false;
  const main = document.getElementById("view");
  main.replaceChildren(...children);
  main.dataset.view = view;
  main.focus({ preventScroll: true });
  return true;
}

let fieldCount = 0;

// A labelled control; `pointer` is the JSON pointer of the API field, so a problem's errors
// can be shown next to it.
export function field(label, control, { pointer, hint } = {}) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const error = h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true });
  control.setAttribute("aria-describedby", `${id}-error`);
  if (pointer) control.dataset.pointer = pointer;
  const wrapper = h("div", { class: `field ${control.type === "checkbox" ? "check" : ""}` });
  if (control.type === "checkbox") wrapper.append(control, h("label", { for: id }, label));
  else wrapper.append(h("label", { for: id }, label), control);
  if (hint) wrapper.append(h("p", { class: "hint" }, hint));
  wrapper.append(error);
  return wrapper;
}

export function select(name, items, { blank, value, multiple } = {}) {
  const control = h("select", { name, multiple });
  if (blank) control.append(h("option", { value: "" }, blank));
  for (const item of items) {
    control.append(h("option", { value: item.code, selected: item.code === value }, item.label ?? item.name));
  }
  return control;
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// Show each error at the control its pointer names (or the closest parent pointer); errors
// without a matching control are listed at the top of the form. Returns the first control.
export function showErrors(form, errors, fallback) {
  const general = [];
  let first = null;
  for (const error of errors) {
    let pointer = error.pointer || "";
    let control = null;
    while (pointer && !(control = form.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`))) {
      pointer = pointer.replace(/\/[^/]*$/, "");
    }
    if (!control) {
      general.push(error.detail);
      continue;
    }
    control.setAttribute("aria-invalid", "true");
    const message = document.getElementById(`${control.id}-error`);
    message.textContent = message.textContent ? `${message.textContent} ${error.detail}` : error.detail;
    message.hidden = false;
    first ??= control;
  }
  if (general.length) fallback(general.join(" "));
  first?.focus();
  return first;
}
