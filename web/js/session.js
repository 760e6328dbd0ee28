// The signed-in person's tokens: the access token refreshed before it expires, both kept sealed
// on the phone so that a report queued offline can still be sent after the app was closed.

import { getSealed, putSealed, wipe } from "./store.js";

const API = "/api/v1";
const REFRESH_MARGIN_MS = 60_000;

let current = null; // {access, accessExpiresAt, refresh, refreshExpiresAt, user}
let refreshing = null;

export function user() {
  return current?.user ?? null;
}

export async function load() {
  current = await getSealed("records", "session");
  return user();
}

async function keep(tokens, who) {
  current = {
    access: tokens.access_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    refresh: tokens.refresh_token,
    refreshExpiresAt: Date.parse(tokens.refresh_expires_at),
    user: who ?? current?.user ?? null,
  };
  await putSealed("records", "session", current);
}

export async function signIn(username, password) {
  const body = new URLSearchParams({ username, password, grant_type: "password" });
  const response = await fetch(`${API}/auth/token`, { method: "POST", body });
  if (!response.ok) return { ok: false, status: response.status };
  const tokens = await response.json();
  current = { access: tokens.access_token };
  const me = await fetch(`${API}/users/me`, {
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  }).then((r) => r.json());
  await keep(tokens, { id: me.id, username: me.username, role: me.role, name: me.display_name, organizationId: me.organization_id });
  return { ok: true };
}

async function refresh() {
  if (!current?.refresh || Date.now() > current.refreshExpiresAt) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${API}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh }),
      });
      if (!response.ok) return false;
      await keep(await response.json());
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// A valid access token, refreshed first when it is about to expire; null when signed out.
export async function accessToken({ force = false } = {}) {
  if (!current) return null;
  if (force || !current.accessExpiresAt || Date.now() > current.accessExpiresAt - REFRESH_MARGIN_MS) {
    if (!(await refresh())) return null;
  }
  return current.access;
}

export async function signOut() {
  const token = current?.access;
  current = null;
  if (token) {
    try {
      await fetch(`${API}/auth/logout`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    } catch {
      // Offline: the session ends on the server when its tokens expire.
    }
  }
  await wipe();
}
