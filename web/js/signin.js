// Sign-in with the API's password form; the first sign-in on a phone needs the network.

import { reachable } from "./api.js";
import { t } from "./i18n.js";
import { signIn } from "./session.js";
import { field, h, show } from "./ui.js";

export function render(next) {
  const username = h("input", { name: "username", autocomplete: "username", autocapitalize: "none", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "signin" },
    field(t("signin.username"), username),
    field(t("signin.password"), password),
    message,
    h("button", { type: "submit", class: "primary" }, t("signin.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    if (!(await reachable())) {
      message.textContent = t("signin.offline");
      return;
    }
    const outcome = await signIn(username.value.trim(), password.value);
    if (!outcome.ok) {
      message.textContent = t("signin.failed");
      password.value = "";
      password.focus();
      return;
    }
    next();
  });
  show("signin", h("h1", {}, t("signin.title")), form);
  username.focus();
}
