// The customer pane: tabs of customers, the chat as a customer sees it, typing, buttons, the
// language switch and image upload.
import { renderTurns } from "./debug.js";
import { $, act, api, clientId, h, mediaView } from "./dom.js";
import { connect } from "./live.js";
import { customer, persist, state } from "./state.js";

export function addCustomer(locale) {
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

export function renderCustomer() {
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

export function renderTabs() {
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

export function appendChat(entry) {
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
  const q = new URLSearchParams({ clientId: clientId(), fileName: file.name, ...who() });
  await act(() => api(`/api/customers/${c.id}/images?${q}`, file));
});
$("new-customer").addEventListener("click", () => {
  addCustomer();
  $("message").focus();
});
