// The playground page: three panes over one live stream. Plain browser JavaScript on purpose:
// the server sends this file as written, so there is no build step between editing it and
// `npx frontline playground`, and what runs in the browser is exactly what is in the repo.
// Everything shown is set with textContent (never innerHTML): customer, agent and flow text
// cannot inject markup.

import { addCustomer, appendChat, renderCustomer, renderTabs } from "./customer.js";
import { renderTurns } from "./debug.js";
import { receiveDesk, renderDesk } from "./desk.js";
import { $, api } from "./dom.js";
import { connect, onEntry } from "./live.js";
import { customer, state } from "./state.js";

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

async function start() {
  onEntry(receive);
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
