// Calls to the API with the signed-in person's token; problem answers (RFC 9457) as errors.

import { accessToken } from "./session.js";
import { language } from "./i18n.js";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Offline extends Error {}

export async function call(path, { method = "GET", body, headers = {}, signal } = {}) {
  let token = await accessToken();
  if (!token) throw new ApiError(401, null);
  const send = (bearer) =>
    fetch(path.startsWith("/") ? path : `${API}/${path}`, {
      method,
      signal,
      cache: "no-store",
      headers: {
        Authorization: `Bearer ${bearer}`,
        "Accept-Language": language(),
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  let response;
  try {
    response = await send(token);
    if (response.status === 401) {
      token = await accessToken({ force: true });
      if (!token) throw new ApiError(401, null);
      response = await send(token);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new Offline(String(error));
  }
  const type = response.headers.get("content-type") || "";
  const payload = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof payload === "object" ? payload : null);
  return { status: response.status, headers: response.headers, body: payload };
}

// Is the service reachable? A real request, not `navigator.onLine`, which only knows whether
// the phone has a network, not whether that network reaches us.
export async function reachable(timeoutMs = 5000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch("/healthz", { cache: "no-store", signal: controller.signal });
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// Labels of coded values from /meta, in the chosen language; kept for offline use.
const metaCache = new Map();
export async function meta(name) {
  const key = `${language()}:${name}`;
  if (!metaCache.has(key)) {
    metaCache.set(
      key,
      call(`meta/${name}`).then((r) => r.body.items).catch((error) => {
        metaCache.delete(key);
        throw error;
      }),
    );
  }
  return metaCache.get(key);
}
