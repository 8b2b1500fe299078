// The playground page: three panes over one live stream. Plain browser JavaScript on purpose:
// the server sends this file as written, so there is no build step between editing it and
// `npx frontline playground`, and what runs in the browser is exactly what is in the repo.
// Everything shown is set with textContent (never innerHTML): customer, agent and flow text
// cannot inject markup.

const STORAGE = "frontline.playground";
const token =
  new URLSearchParams(location.search).get("token") ?? sessionStorage.getItem(`${STORAGE}.token`);
if (token) sessionStorage.setItem(`${STORAGE}.token`, token);

const $ = (id) => document.getElementById(id);

/** Builds an element; strings among the children become text nodes (escaped by the DOM). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function clientId() {
  return crypto.randomUUID().replaceAll("-", "");
}

function withToken(url) {
  if (!token) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

async function api(path, body, init = {}) {
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(body !== undefined && !(body instanceof Blob)
        ? { "content-type": "application/json" }
        : {}),
      ...(body instanceof Blob ? { "content-type": body.type } : {}),
      ...(token ? { "x-playground-token": token } : {}),
    },
    body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    ...init,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error ?? `${res.status} ${res.statusText}`);
  return data;
}

// ---- state -------------------------------------------------------------------------------

const saved = JSON.parse(localStorage.getItem(STORAGE) ?? "null") ?? {};
const state = {
  info: null,
  customers: saved.customers ?? [],
  selected: saved.selected ?? null,
  /** Per customer: chat entries and debug turns, as the stream delivered them. */
  chats: new Map(),
  turns: new Map(),
  unread: new Set(),
  threads: new Map(),
  ratings: new Map(),
  ticket: null,
  cursor: "",
  source: null,
  ready: false,
};

function persist() {
  localStorage.setItem(
    STORAGE,
    JSON.stringify({ customers: state.customers, selected: state.selected }),
  );
}

function customer(id = state.selected) {
  return state.customers.find((c) => c.id === id);
}

function addCustomer(locale) {
  const n = state.customers.length + 1;
  const names = ["Maria", "Jonas", "Olena", "Piotr", "Eleni", "Dmitri", "Zofia", "Nikos"];
  const c = {
    id: `c${clientId().slice(0, 12)}`,
    name: `${names[(n - 1) % names.length]}${n > names.length ? ` ${n}` : ""}`,
    locale: locale ?? state.info?.defaultLocale ?? "en",
  };
  state.customers.push(c);
  state.selected = c.id;
  persist();
  connect();
  renderCustomer();
  return c;
}

// ---- live stream -------------------------------------------------------------------------

function connect() {
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

function receive({ stream, entry }) {
  if (stream === "desk") return receiveDesk(entry);
  const id = stream.slice(2);
  if (entry.kind === "debug") {
    if (!state.turns.has(id)) state.turns.set(id, []);
    state.turns.get(id).push(entry.turn);
    if (id === state.selected) renderTurns();
    return;
  }
  if (!state.chats.has(id)) state.chats.set(id, []);
  state.chats.get(id).push(entry);
  if (id === state.selected) appendChat(entry);
  else if (entry.kind === "bot") {
    state.unread.add(id);
    renderTabs();
  }
}

function receiveDesk(e) {
  const threads = state.threads;
  if (e.kind === "open") {
    const old = threads.get(e.thread.threadId);
    threads.set(e.thread.threadId, { ...e.thread, card: e.card, posts: old?.posts ?? [] });
    state.ticket ??= e.thread.threadId;
  } else if (e.kind === "status") {
    const t = threads.get(e.thread.threadId);
    threads.set(e.thread.threadId, { ...(t ?? { posts: [] }), ...e.thread, card: e.card });
  } else if (e.kind === "post") {
    if (!threads.has(e.threadId) && e.threadId === "general")
      threads.set("general", { threadId: "general", general: true, posts: [], openedAt: e.at });
    threads.get(e.threadId)?.posts.push(e);
  } else if (e.kind === "closed" || e.kind === "reopened") {
    const t = threads.get(e.threadId);
    if (t) t.closed = e.kind === "closed";
  } else if (e.kind === "deleted") {
    threads.delete(e.threadId);
    if (state.ticket === e.threadId) state.ticket = null;
  } else if (e.kind === "rated") {
    state.ratings.set(e.ticket, e.score);
  }
  scheduleDesk();
}

/** One render per frame however many desk entries arrive (a reload replays them all at once). */
let deskPending = false;
function scheduleDesk() {
  if (deskPending) return;
  deskPending = true;
  requestAnimationFrame(() => {
    deskPending = false;
    renderDesk();
  });
}

// ---- customer pane -----------------------------------------------------------------------

function renderCustomer() {
  renderTabs();
  const c = customer();
  const select = $("customer-language");
  select.replaceChildren(
    ...(state.info?.locales ?? ["en"]).map((l) =>
      h("option", { value: l, selected: c?.locale === l }, state.info?.languageNames?.[l] ?? l),
    ),
  );
  $("customer-name").textContent = c ? `You are ${c.name}` : "";
  const chat = $("chat");
  chat.replaceChildren();
  chat.setAttribute("lang", c?.locale ?? "en");
  for (const entry of state.chats.get(c?.id) ?? []) appendChat(entry);
  state.unread.delete(c?.id);
  renderTurns();
}

function renderTabs() {
  const tabs = $("customer-tabs");
  tabs.replaceChildren(
    ...state.customers.map((c) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${c.id}`,
          "aria-selected": c.id === state.selected ? "true" : "false",
          "aria-controls": "customer-panel",
          tabindex: c.id === state.selected ? "0" : "-1",
          class: state.unread.has(c.id) ? "unread" : undefined,
          onclick: () => selectCustomer(c.id),
          onkeydown: (ev) => tabKeys(ev, c.id),
        },
        c.name,
        state.unread.has(c.id) ? h("span", { class: "visually-hidden" }, " (new messages)") : null,
      ),
    ),
  );
}

function tabKeys(ev, id) {
  const i = state.customers.findIndex((c) => c.id === id);
  const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
  if (!step) return;
  ev.preventDefault();
  const next = state.customers[(i + step + state.customers.length) % state.customers.length];
  selectCustomer(next.id);
  $(`tab-${next.id}`)?.focus();
}

function selectCustomer(id) {
  state.selected = id;
  persist();
  renderCustomer();
}

function mediaView(media) {
  if (media?.id)
    return h("img", {
      src: withToken(`/media/${media.id}`),
      alt: media.name ? `Image: ${media.name}` : "Image",
    });
  if (media)
    return h(
      "span",
      { class: "muted" },
      `[${media.kind}${media.name ? `: ${media.name}` : ""} from ${media.from}]`,
    );
  return null;
}

function appendChat(entry) {
  const chat = $("chat");
  const who = entry.kind === "bot" ? "Bot" : entry.kind === "failed" ? "Not sent" : "You";
  const message = entry.kind === "bot" ? entry.message : entry;
  const item = h(
    "li",
    { class: `msg ${entry.kind}`, "data-kind": entry.kind },
    h("span", { class: "visually-hidden" }, `${who}: `),
    message.text ?? "",
    mediaView(message.media),
  );
  if (entry.kind === "bot" && message.buttons?.length) {
    item.append(
      h(
        "div",
        { class: "buttons", role: "group", "aria-label": "Answers" },
        message.buttons.map((b) =>
          h("button", { type: "button", onclick: () => press(b.payload, b.label) }, b.label),
        ),
      ),
    );
  }
  chat.append(item);
  chat.scrollTop = chat.scrollHeight;
}

function who() {
  const c = customer();
  return { name: c.name, locale: c.locale };
}

async function say(text) {
  const c = customer();
  if (!c || !text.trim()) return;
  await act(() => api(`/api/customers/${c.id}/messages`, { clientId: clientId(), text, ...who() }));
}

async function press(payload, label) {
  const c = customer();
  await act(() =>
    api(`/api/customers/${c.id}/buttons`, { clientId: clientId(), payload, label, ...who() }),
  );
}

async function act(fn) {
  try {
    await fn();
  } catch (err) {
    $("connection").textContent = `Not sent: ${err.message}`;
  }
}

$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const box = $("message");
  const text = box.value;
  box.value = "";
  void say(text);
  box.focus();
});
$("message").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("composer").requestSubmit();
  }
});
$("customer-language").addEventListener("change", (ev) => {
  const c = customer();
  c.locale = ev.target.value;
  persist();
  $("chat").setAttribute("lang", c.locale);
  // The same as pressing a language under /language: the bot switches and says so.
  void press(`lang:${c.locale}`, state.info?.languageNames?.[c.locale] ?? c.locale);
});
$("image").addEventListener("change", async (ev) => {
  const file = ev.target.files?.[0];
  const c = customer();
  ev.target.value = "";
  if (!file || !c) return;
  const q = new URLSearchParams({ clientId: clientId(), name: file.name, ...who() });
  await act(() => api(`/api/customers/${c.id}/images?${q}`, file));
});
$("new-customer").addEventListener("click", () => {
  addCustomer();
  $("message").focus();
});

// ---- agent pane --------------------------------------------------------------------------

const STATE_NAMES = {
  queued: "queued",
  assigned: "with an agent",
  waiting_customer: "waiting for the customer",
  closed: "closed",
};

function minutesSince(at) {
  const m = Math.floor((Date.now() - at) / 60_000);
  return m < 1 ? "under a minute" : `${m} min`;
}

function renderDesk() {
  const list = $("tickets");
  const threads = [...state.threads.values()].sort(
    (a, b) => (b.header?.number ?? 0) - (a.header?.number ?? 0),
  );
  list.replaceChildren(
    ...threads.map((t) => {
      const hd = t.header;
      const status = t.closed ? "closed" : (hd?.status ?? "");
      const label = t.general
        ? h(
            "span",
            {},
            h("strong", {}, "General"),
            h("span", { class: "meta" }, "notices and answers outside tickets"),
          )
        : h(
            "span",
            {},
            h("strong", {}, hd.title),
            h(
              "span",
              { class: "meta" },
              h("span", { class: `state ${status}` }, STATE_NAMES[status] ?? status),
              ` · skill ${hd.skill} · ${hd.locale}`,
              status === "queued" ? ` · waiting ${minutesSince(t.openedAt)}` : "",
              state.ratings.has(hd.number) ? ` · rated ${state.ratings.get(hd.number)}/5` : "",
            ),
          );
      return h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            "data-ticket": t.general ? "general" : hd.number,
            "aria-current": t.threadId === state.ticket ? "true" : "false",
            onclick: () => {
              state.ticket = t.threadId;
              renderDesk();
            },
          },
          label,
        ),
      );
    }),
  );
  renderThread();
}

function renderThread() {
  const box = $("thread");
  const t = state.threads.get(state.ticket);
  $("agent-composer").hidden = !t;
  if (!t) {
    box.replaceChildren(
      h(
        "p",
        { class: "muted" },
        "No ticket selected. Tickets appear here when a customer asks for a person.",
      ),
    );
    return;
  }
  const posts = t.posts.filter((p) => p.messageId !== t.cardMessageId);
  const parts = [];
  if (!t.general) {
    parts.push(h("h3", {}, `${t.header.title}${t.closed ? " (closed)" : ""}`));
    parts.push(
      h(
        "div",
        { class: "card", "aria-label": "Ticket card" },
        t.card?.text ?? "",
        t.card?.buttons?.length
          ? h(
              "div",
              { class: "buttons", role: "group", "aria-label": "Ticket actions" },
              t.card.buttons.map((b) =>
                h("button", { type: "button", onclick: () => cardButton(t, b) }, b.label),
              ),
            )
          : null,
      ),
    );
  } else parts.push(h("h3", {}, "General"));
  parts.push(
    h(
      "ol",
      { class: "posts", "aria-label": "Thread" },
      posts.map((p) => {
        const m = p.message;
        const note = m.author && m.text.startsWith("//");
        return h(
          "li",
          { class: `post${m.author ? " own" : ""}${note ? " note" : ""}` },
          m.author ? `${m.author}${note ? " (internal note)" : ""}: ` : "",
          m.text,
          mediaView(m.media),
          m.mentions?.length
            ? h("span", { class: "muted" }, ` (mentions ${m.mentions.join(", ")})`)
            : null,
        );
      }),
    ),
  );
  const score = t.header && state.ratings.get(t.header.number);
  if (score)
    parts.push(
      h(
        "p",
        { class: "csat" },
        `Customer rating: ${"★".repeat(score)}${"☆".repeat(5 - score)} (${score}/5)`,
      ),
    );
  box.replaceChildren(...parts);
  box.scrollTop = box.scrollHeight;
}

async function cardButton(t, b) {
  if (/^desk:transfer:/.test(b.payload)) {
    $("transfer-form").hidden = false;
    $("transfer-to").focus();
    return;
  }
  await act(() =>
    api("/api/desk/buttons", { clientId: clientId(), threadId: t.threadId, payload: b.payload }),
  );
}

$("agent-composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const box = $("reply");
  const text = box.value;
  box.value = "";
  if (text.trim() && state.ticket)
    void act(() =>
      api("/api/desk/messages", { clientId: clientId(), threadId: state.ticket, text }),
    );
  box.focus();
});
$("reply").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("agent-composer").requestSubmit();
  }
});
$("transfer-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const to = $("transfer-to").value.trim();
  $("transfer-form").hidden = true;
  $("transfer-to").value = "";
  if (to && state.ticket)
    void act(() =>
      api("/api/desk/messages", {
        clientId: clientId(),
        threadId: state.ticket,
        text: `/transfer ${to}`,
      }),
    );
});
$("transfer-cancel").addEventListener("click", () => {
  $("transfer-form").hidden = true;
});

// ---- debug pane --------------------------------------------------------------------------

function percent(x) {
  return x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`;
}

function renderTurns() {
  const turns = [...(state.turns.get(state.selected) ?? [])].reverse();
  const chat = state.chats.get(state.selected) ?? [];
  const said = new Map(
    chat.filter((e) => e.key).map((e) => [e.key, e.text || (e.media ? "[image]" : "")]),
  );
  let n = turns.length;
  $("turns").replaceChildren(
    ...turns.map((t) => {
      const intents = t.debug?.intents ?? [];
      const vars = Object.entries(t.debug?.vars ?? {});
      return h(
        "li",
        { class: "turn", "data-flow": t.flow ?? "" },
        h("h3", {}, `Turn ${n--}: ${t.flow ?? "no flow"}${t.step ? ` › ${t.step}` : ""}`),
        said.has(t.idempotencyKey)
          ? h("p", { class: "said" }, `“${said.get(t.idempotencyKey)}”`)
          : null,
        h(
          "dl",
          {},
          h("dt", {}, "confidence"),
          h("dd", {}, percent(t.confidence)),
          h("dt", {}, "locale"),
          h("dd", {}, t.locale),
          h("dt", {}, "intents"),
          h(
            "dd",
            {},
            intents.length
              ? h(
                  "table",
                  {},
                  h("caption", { class: "visually-hidden" }, "Top intents with scores"),
                  intents.map((i) =>
                    h(
                      "tr",
                      {},
                      h("th", { scope: "row" }, i.intent),
                      h("td", {}, percent(i.confidence)),
                    ),
                  ),
                )
              : "no text to match",
          ),
          h("dt", {}, "variables"),
          h("dd", {}, vars.length ? vars.map(([k, v]) => `${k} = ${v}`).join("\n") : "none"),
          h("dt", {}, "middleware"),
          h("dd", {}, t.handledBy?.length ? t.handledBy.join(", ") : "none (the flows answered)"),
          t.escalated ? [h("dt", {}, "hand-over"), h("dd", {}, "escalated to a person")] : null,
        ),
      );
    }),
  );
  if (!turns.length && chat.length === 0)
    $("turns").replaceChildren(
      h(
        "li",
        { class: "muted" },
        "Each bot turn of the selected customer shows here: flow, step, confidence, top intents, locale, variables, middleware.",
      ),
    );
}

$("reload-flows").addEventListener("click", async () => {
  const out = $("reload-result");
  const button = $("reload-flows");
  button.disabled = true;
  out.replaceChildren(h("p", { class: "muted" }, "Validating and reloading…"));
  try {
    const r = await api("/api/flows/reload", {});
    out.replaceChildren(
      r.ok
        ? h(
            "p",
            { class: "ok" },
            `Reloaded ${r.flows} flows from ${state.info?.flowsDir ?? "the flows directory"}.`,
          )
        : h(
            "div",
            { role: "alert" },
            h("p", {}, "The edited flows are invalid; the previous flows keep answering."),
            h("pre", { class: "report" }, r.report),
          ),
    );
  } catch (err) {
    out.replaceChildren(
      h("p", { class: "report", role: "alert" }, `Could not reload: ${err.message}`),
    );
  } finally {
    button.disabled = false;
  }
});

// ---- start -------------------------------------------------------------------------------

async function start() {
  try {
    state.info = await api("/api/info");
  } catch (err) {
    $("connection").textContent = `The playground did not answer: ${err.message}`;
    return;
  }
  $("agent-who").textContent =
    `You are ${state.info.agent.name} (/alias changes what customers see)`;
  if (!state.customers.length) addCustomer();
  else {
    if (!customer()) state.selected = state.customers[0].id;
    connect();
    renderCustomer();
  }
  renderDesk();
  // Waiting times move on by themselves.
  setInterval(() => {
    if ([...state.threads.values()].some((t) => t.header?.status === "queued" && !t.closed))
      renderDesk();
  }, 15_000);
}

void start();
