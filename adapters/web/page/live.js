// The page's one live connection (Server-Sent Events) over every stream it follows. Reopened
// with the cursor when the page follows a new customer; the browser resumes by itself after a
// drop (Last-Event-ID). Entries go to the handler app.js sets.
import { $, withToken } from "./dom.js";
import { state } from "./state.js";

let receive = () => {};

/** Where each delivered entry goes. */
export function onEntry(handler) {
  receive = handler;
}

export function connect() {
  state.source?.close();
  state.ready = false;
  const customers = state.customers.map((c) => c.id).join(",");
  const url = withToken(
    `/api/events?customers=${encodeURIComponent(customers)}&cursor=${encodeURIComponent(state.cursor)}`,
  );
  const source = new EventSource(url);
  state.source = source;
  source.onmessage = (ev) => {
    state.cursor = ev.lastEventId;
    receive(JSON.parse(ev.data));
  };
  source.addEventListener("ready", () => {
    state.ready = true;
    document.body.dataset.ready = "true";
    $("connection").textContent =
      "Connected: every message goes through the real intake, engine, outbox and desk.";
  });
  source.addEventListener("trouble", (ev) => {
    $("connection").textContent =
      `The playground cannot read its data right now (${JSON.parse(ev.data).message}); retrying…`;
  });
  source.onerror = () => {
    $("connection").textContent =
      "Connection lost; reconnecting (nothing is lost: the page resumes where it stopped)…";
  };
}
