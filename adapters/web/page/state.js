// What the page knows: its customers (kept in localStorage, so a reload keeps the tabs), what
// each stream delivered, and the live connection's cursor.
import { STORAGE } from "./dom.js";

const saved = JSON.parse(localStorage.getItem(STORAGE) ?? "null") ?? {};
export const state = {
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

export function persist() {
  localStorage.setItem(
    STORAGE,
    JSON.stringify({ customers: state.customers, selected: state.selected }),
  );
}

export function customer(id = state.selected) {
  return state.customers.find((c) => c.id === id);
}
