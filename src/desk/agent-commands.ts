// What agents can do in the workspace: one small function per command, in one table.
// Commands about a ticket work in its thread (or from its card's buttons); /alias, /away and
// /back work anywhere in the workspace.
import type { AgentEvent } from "../core/workspace.ts";
import type { DeskContext } from "./context.ts";
import { assign, closeTicket, reopen, transfer } from "./lifecycle.ts";
import { replyFromAgent } from "./relay.ts";
import { postGeneral, postOnce } from "./thread.ts";
import type { Ticket } from "./ticket.ts";

interface CommandInput {
  c: DeskContext;
  e: AgentEvent;
  t: Ticket | null;
  args: string;
  stepId: string;
}

type Command = (input: CommandInput & { t: Ticket }) => Promise<void>;
type AnywhereCommand = (input: CommandInput) => Promise<void>;

/** Answers the agent where they wrote: the ticket's thread, or the workspace's general place. */
async function answer(input: CommandInput, text: string): Promise<void> {
  if (input.t) await postOnce(input.c, input.t, `${input.stepId}:answer`, { text });
  else await postGeneral(input.c, `${input.stepId}:answer`, text);
}

const anywhere: Record<string, AnywhereCommand> = {
  async alias(input) {
    const alias = input.args.slice(0, 32);
    if (alias) await input.c.store.setAgentAlias(input.e.agentId, alias);
    await answer(input, alias ? `Customers will see you as “${alias}”.` : "Usage: /alias Anna");
  },
  async away(input) {
    await input.c.store.setAway(input.e.agentId, true);
    await answer(input, "You are away: no new tickets are assigned to you.");
  },
  async back(input) {
    await input.c.store.setAway(input.e.agentId, false);
    await answer(input, "Welcome back: you are on shift.");
  },
};

const onTicket: Record<string, Command> = {
  async claim({ c, e, t, stepId }) {
    const alias = await c.aliasOf(e.agentId, e.agentName);
    await (await assign(c, t, stepId, { id: e.agentId, alias }, e.agentName))();
  },
  async close({ c, t }) {
    await closeTicket(c, t, "agent");
  },
  async reopen({ c, t, e, stepId }) {
    await reopen(c, t, stepId, `agent ${e.agentName}`);
  },
  async transfer(input) {
    if (input.e.type === "button" || !input.args) {
      await answer(input, "Transfer with /transfer <skill> or /transfer <agent alias>.");
      return;
    }
    await transfer(input.c, input.t, input.stepId, input.args);
  },
  async note({ c, t, e, args, stepId }) {
    await c.store.apply(t, `${stepId}:note`, () => ({
      log: [{ at: c.now(), from: "note", text: args, by: e.agentId }],
    }));
  },
  async block(input) {
    await setBlocked(input, true);
    await answer(
      input,
      "🚫 Blocked: the customer was told once, and nothing they write reaches agents until /unblock.",
    );
  },
  async unblock(input) {
    await setBlocked(input, false);
    await answer(input, "Unblocked: the customer's messages reach the desk again.");
  },
};

async function setBlocked({ c, t, e, stepId }: CommandInput & { t: Ticket }, blocked: boolean) {
  await c.store.apply(t, `${stepId}:${blocked ? "block" : "unblock"}`, () => ({
    log: [
      {
        at: c.now(),
        from: "system",
        text: `${blocked ? "blocked" : "unblocked"} by ${e.agentName}`,
      },
    ],
  }));
  await c.store.setBlocked(t.conversationKey, blocked);
  await c.d.conversations.mutate(t.conversationKey, (s) => {
    const { blocked: _was, ...rest } = s.desk ?? {};
    s.desk = blocked ? { ...rest, blocked: { notified: false } } : rest;
  });
}

export const AGENT_COMMANDS = [...Object.keys(onTicket), ...Object.keys(anywhere)];

/** What each agent command does, for platforms that list the staff's commands in a menu. */
export const AGENT_COMMAND_HELP: Record<string, string> = {
  claim: "Take this ticket",
  close: "Close this ticket",
  reopen: "Reopen this ticket",
  transfer: "Hand this ticket to another skill or agent: /transfer billing",
  note: "An internal note on this ticket (never sent to the customer)",
  block: "Stop passing on this customer's messages",
  unblock: "Pass on this customer's messages again",
  alias: "The name customers see you under: /alias Anna",
  away: "Take no new tickets for now",
  back: "Take new tickets again",
};

/** Runs what an agent did; the caller checked that they are an agent of this workspace. */
export async function runAgentEvent(
  c: DeskContext,
  t: Ticket | null,
  e: AgentEvent,
  stepId: string,
): Promise<void> {
  const command =
    e.type === "button"
      ? /^desk:([a-z]+):/.exec(e.payload)?.[1]
      : e.type === "command"
        ? e.command
        : undefined;
  const input: CommandInput = { c, e, t, args: e.type === "command" ? e.args.trim() : "", stepId };
  if (command !== undefined) {
    const run = anywhere[command];
    if (run) return run(input);
    const onT = onTicket[command];
    if (!t) {
      if (onT) await answer(input, `/${command} works inside a ticket's thread.`);
      return;
    }
    if (onT) return onT({ ...input, t });
    await answer(
      input,
      `Unknown command /${command}. Agent commands: ${AGENT_COMMANDS.map((n) => `/${n}`).join(" ")}`,
    );
    return;
  }
  // A message in the general place is agents talking among themselves: not for a customer.
  if (t && e.type === "message") await replyFromAgent(c, t, e, stepId);
}
