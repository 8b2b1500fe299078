// The agent desk pane: the ticket list, a ticket's card and thread, Claim / Close / Transfer,
// replies, internal notes and /alias, and the customer's rating after a close.
import { $, act, api, clientId, h, mediaView } from "./dom.js";
import { state } from "./state.js";

export function receiveDesk(e) {
  const threads = state.threads;
  if (e.kind === "open") {
    const old = threads.get(e.thread.threadId);
    threads.set(e.thread.threadId, { ...e.thread, card: e.card, posts: old?.posts ?? [] });
    state.ticket ??= e.thread.threadId;
    tell(`New ticket: ${e.thread.header.title}`);
  } else if (e.kind === "status") {
    const t = threads.get(e.thread.threadId);
    threads.set(e.thread.threadId, { ...(t ?? { posts: [] }), ...e.thread, card: e.card });
  } else if (e.kind === "post") {
    if (!threads.has(e.threadId) && e.threadId === "general")
      threads.set("general", { threadId: "general", general: true, posts: [], openedAt: e.at });
    threads.get(e.threadId)?.posts.push(e);
    if (!e.message.author) tell(e.message.text);
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

/** Says what is new on the desk to a screen reader, once (the thread itself is redrawn whole,
 * so it is not a live region); quiet while the history replays. */
function tell(text) {
  if (state.ready) $("desk-news").textContent = text;
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

export function renderDesk() {
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
  $("agent-image-form").hidden = !t || t.general;
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
$("agent-image").addEventListener("change", async (ev) => {
  const file = ev.target.files?.[0];
  ev.target.value = "";
  if (!file || !state.ticket) return;
  const q = new URLSearchParams({ clientId: clientId(), threadId: state.ticket, name: file.name });
  await act(() => api(`/api/desk/images?${q}`, file));
});
$("transfer-cancel").addEventListener("click", () => {
  $("transfer-form").hidden = true;
});
