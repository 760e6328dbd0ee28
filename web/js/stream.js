// The live stream (`GET /api/v1/stream`, server-sent events) read with fetch, since the
// browser's EventSource cannot send the Authorization header (the token never goes in a URL).
// Reconnects after an end or a drop, with Last-Event-ID, and a fresh token when it expired.

import { API } from "./api.js";
import { accessToken } from "./session.js";

function parse(block) {
  const message = { event: "message", data: "", id: null };
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const at = line.indexOf(":");
    const name = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
    if (name === "data") message.data += (message.data ? "\n" : "") + value;
    else if (name === "event") message.event = value;
    else if (name === "id") message.id = value;
  }
  return message.data || message.event !== "message" ? message : null;
}

// Calls `onMessage({event, data, id})` for each message until `controller.abort()`.
export function follow(onMessage, { onState } = {}) {
  const controller = new AbortController();
  let lastId = null;
  let delay = 1000;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const token = await accessToken();
        if (!token) return;
        const response = await fetch(`${API}/stream`, {
          headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream", ...(lastId ? { "Last-Event-ID": lastId } : {}) },
          cache: "no-store",
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`stream ${response.status}`);
        onState?.("live");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (!message) continue;
            if (message.id) lastId = message.id;
            onMessage(message);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      onState?.("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  run();
  return controller;
}
