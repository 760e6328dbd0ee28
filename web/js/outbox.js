// Finished reports waiting to reach the server, sent one at a time.
//
// Each report carries the Idempotency-Key and `client_reference` made when its form was opened,
// so sending it again after a lost answer replays the first answer instead of making a second
// case. A report leaves the queue only when the server has answered it: created (2xx), or refused
// for its content (422, back to the volunteer for correction, never dropped). Anything else (no
// network, a timeout, 409 while an earlier try is still running, 5xx, 429) waits and tries
// again, with a backoff doubling from 5 s up to 5 minutes, plus jitter. Whether to try is decided
// by a real request to /healthz, not by `navigator.onLine`.

import { API, reachable } from "./api.js";
import { accessToken, user } from "./session.js";
import { language } from "./i18n.js";
import { getSealed, putSealed, raw } from "./store.js";

const STORE = "outbox";
const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const KEEP_SENT_MS = 24 * 60 * 60_000;

const listeners = new Set();
let timer = null;

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

export function backoff(attempts, random = Math.random) {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  return Math.min(MAX_BACKOFF_MS, Math.round(base * (0.8 + 0.4 * random())));
}

export async function list() {
  const now = Date.now();
  const entries = (await raw.all(STORE)).map(([, entry]) => entry);
  for (const entry of entries) {
    if (entry.state === "sent" && now - entry.sentAt > KEEP_SENT_MS) await raw.delete(STORE, entry.id);
  }
  return entries
    .filter((e) => !(e.state === "sent" && now - e.sentAt > KEEP_SENT_MS))
    .sort((a, b) => a.createdAt - b.createdAt);
}

export async function enqueue(report, idempotencyKey) {
  await putSealed(STORE, idempotencyKey, { report, problem: null }, {
    id: idempotencyKey,
    state: "queued",
    attempts: 0,
    createdAt: Date.now(),
    nextAttemptAt: Date.now(),
  });
  changed();
}

// The report and the server's problem with it, for correction.
export async function held(id) {
  return getSealed(STORE, id);
}

async function update(entry, fields, sealed) {
  const next = { ...entry, ...fields };
  if (sealed !== undefined) {
    if (sealed === null) delete next.sealed;
    else await putSealed(STORE, entry.id, sealed, { ...next, sealed: undefined });
  }
  if (sealed === undefined || sealed === null) await raw.put(STORE, entry.id, next);
  changed();
  return next;
}

export async function remove(id) {
  await raw.delete(STORE, id);
  changed();
}

async function post(entry) {
  const token = await accessToken();
  if (!token) return { kind: "signed_out" };
  const { report } = await getSealed(STORE, entry.id);
  let response;
  try {
    response = await fetch(`${API}/cases`, {
      method: "POST",
      cache: "no-store",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Accept-Language": language(),
        "Idempotency-Key": entry.id,
      },
      body: JSON.stringify(report),
    });
  } catch {
    return { kind: "retry" };
  }
  if (response.ok) return { kind: "sent", body: await response.json() };
  if (response.status === 401) return { kind: "signed_out" };
  if (response.status === 422 || response.status === 400) {
    return { kind: "refused", problem: await response.json().catch(() => null), report };
  }
  return { kind: "retry", retryAfter: Number(response.headers.get("Retry-After")) || 0 };
}

async function sendOne(entry) {
  entry = await update(entry, { state: "sending" });
  const outcome = await post(entry);
  if (outcome.kind === "sent") {
    await update(entry, { state: "sent", sentAt: Date.now(), reference: outcome.body.reference }, null);
    return true;
  }
  if (outcome.kind === "refused") {
    await update(entry, { state: "needs_fix" }, { report: outcome.report, problem: outcome.problem });
    return true;
  }
  const attempts = entry.attempts + 1;
  const wait = Math.max(backoff(attempts), (outcome.retryAfter || 0) * 1000);
  await update(entry, { state: "queued", attempts, nextAttemptAt: Date.now() + wait });
  return false; // no network, or the server cannot take it now: stop this round
}

async function round() {
  const due = (await list()).filter((e) => e.state === "queued" || e.state === "sending");
  for (const entry of due) {
    if (entry.nextAttemptAt > Date.now()) continue;
    if (!(await reachable())) {
      const attempts = entry.attempts + 1;
      await update(entry, { state: "queued", attempts, nextAttemptAt: Date.now() + backoff(attempts) });
      return;
    }
    if (!(await sendOne(entry))) return;
  }
}

function schedule(entries) {
  clearTimeout(timer);
  const waiting = entries.filter((e) => e.state === "queued").map((e) => e.nextAttemptAt);
  if (waiting.length) {
    timer = setTimeout(process, Math.max(0, Math.min(...waiting) - Date.now()) + 50);
  }
}

// Send what is due, one report at a time; one tab at a time (Web Locks), so two open tabs
// never post the same report at once.
export async function process() {
  if (!user()) return; // signed out: the queue was wiped with everything else
  const work = async () => {
    try {
      await round();
    } finally {
      if (user()) schedule(await list());
    }
  };
  if (navigator.locks) await navigator.locks.request("onestop-outbox", { ifAvailable: true }, (lock) => lock && work());
  else await work();
}

// Stop trying: the person is signing out.
export function stop() {
  clearTimeout(timer);
  timer = null;
}

export async function sendNow() {
  for (const entry of await list()) {
    if (entry.state === "queued") await update(entry, { nextAttemptAt: Date.now() });
  }
  await process();
}
