// The shop's case events over a websocket (graphql-transport-ws, the protocol of
// `caseEvents`), written by hand: connection_init with the token, one subscription,
// pings answered. `onEvent` runs for every event; `onDown` once the socket fails or
// closes, after which the caller polls and may connect again later.
import { CASE_EVENTS } from "./api.js";

const ACK_TIMEOUT_MS = 5000;

export function socketUrl(endpoint) {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

export function connect(endpoint, token, { onEvent, onUp, onDown }) {
  let socket;
  let down = false;
  let ackTimer = null;
  const fail = () => {
    if (down) return;
    down = true;
    clearTimeout(ackTimer);
    try { socket?.close(); } catch { /* already closed */ }
    onDown();
  };
  try {
    socket = new WebSocket(socketUrl(endpoint), "graphql-transport-ws");
  } catch {
    setTimeout(fail, 0);
    return { close: () => {} };
  }
  ackTimer = setTimeout(fail, ACK_TIMEOUT_MS);
  const send = (message) => socket.send(JSON.stringify(message));
  socket.addEventListener("open", () => send({ type: "connection_init", payload: { token } }));
  // The server may send its JSON in binary frames.
  socket.binaryType = "arraybuffer";
  const decoder = new TextDecoder();
  socket.addEventListener("message", (message) => {
    let data;
    const text = typeof message.data === "string" ? message.data : decoder.decode(message.data);
    try { data = JSON.parse(text); } catch { return; }
    if (data.type === "connection_ack") {
      clearTimeout(ackTimer);
      send({ id: "events", type: "subscribe", payload: { query: CASE_EVENTS } });
      onUp();
    } else if (data.type === "ping") {
      send({ type: "pong" });
    } else if (data.type === "next" && data.payload?.data?.caseEvents) {
      onEvent(data.payload.data.caseEvents);
    } else if (data.type === "error" || data.type === "complete") {
      fail();
    }
  });
  socket.addEventListener("error", fail);
  socket.addEventListener("close", fail);
  return {
    close: () => {
      down = true;
      clearTimeout(ackTimer);
      try { socket.close(1000); } catch { /* already closed */ }
    },
  };
}
