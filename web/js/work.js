// A page still to come: it says so rather than showing nothing.

import { t } from "./i18n.js";
import { h, show } from "./ui.js";

export function placeholder(view, titleKey) {
  return () => show(view, h("h1", {}, t(titleKey)), h("p", {}, t("work.soon")));
}
