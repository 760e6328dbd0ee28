// The app: pages addressed after `#`, the navigation for the signed-in role, the network state.

import { reachable } from "./api.js";
import { loadWords, switchLanguage, t } from "./i18n.js";
import * as intake from "./intake.js";
import * as outbox from "./outbox.js";
import * as session from "./session.js";
import * as signin from "./signin.js";
import * as stats from "./stats.js";
import * as board from "./board.js";
import * as inbox from "./inbox.js";
import { expect, h } from "./ui.js";
import * as work from "./work.js";

const PAGES = {
  "#/intake": { roles: ["volunteer", "caseworker", "supervisor"], label: "nav.intake", render: intake.render },
  "#/work": { roles: ["volunteer", "caseworker"], label: "nav.work", render: work.render },
  "#/board": { roles: ["caseworker", "supervisor"], label: "nav.board", render: board.render },
  "#/stats": { roles: ["caseworker", "supervisor", "admin"], label: "nav.stats", render: () => stats.render() },
  "#/inbox": { roles: ["agency"], label: "nav.inbox", render: inbox.render },
};

function pagesFor(role) {
  return Object.entries(PAGES).filter(([, page]) => page.roles.includes(role));
}

function renderNav() {
  const nav = document.getElementById("nav");
  const who = session.user();
  nav.replaceChildren(
    ...(who
      ? [
          ...pagesFor(who.role).map(([hash, page]) =>
            h("a", { href: hash, "aria-current": location.hash === hash ? "page" : null }, t(page.label))),
          h("button", { type: "button", class: "link", onclick: signOut }, t("nav.signout")),
        ]
      : []),
  );
  document.getElementById("language").textContent = t("language.switch");
}

async function route() {
  const who = session.user();
  if (!who) {
    renderNav();
    expect("signin");
    signin.render(() => {
      const first = pagesFor(session.user().role)[0]?.[0] || "#/intake";
      if (location.hash === first) route();
      else location.hash = first; // the hashchange routes
    });
    return;
  }
  const allowed = pagesFor(who.role);
  const hash = allowed.some(([key]) => key === location.hash) ? location.hash : allowed[0]?.[0];
  if (hash && hash !== location.hash) history.replaceState(null, "", hash);
  renderNav();
  expect(hash?.slice(2) ?? null);
  await PAGES[hash]?.render();
  outbox.process();
}

async function signOut() {
  outbox.stop();
  await session.signOut();
  route();
}

async function watchNetwork() {
  const banner = document.getElementById("network");
  const check = async () => {
    const up = await reachable();
    banner.textContent = up ? "" : t("network.offline");
    banner.dataset.state = up ? "online" : "offline";
    if (up) outbox.process();
  };
  window.addEventListener("online", check);
  window.addEventListener("offline", check);
  setInterval(check, 30_000);
  await check();
}

async function start() {
  await loadWords();
  document.getElementById("language").addEventListener("click", async () => {
    await switchLanguage();
    route();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
  }
  await session.load();
  window.addEventListener("hashchange", route);
  await route();
  watchNetwork();
}

start();
