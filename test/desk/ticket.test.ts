import { describe, expect, it } from "vitest";
import { canTransition, type Ticket, transition } from "../../src/desk/ticket.ts";

function ticket(): Ticket {
  return {
    number: 7,
    conversationKey: "c",
    customer: { address: { channel: "telegram", chatId: "1" }, user: { id: "1" }, locale: "en" },
    skill: "billing",
    priority: "normal",
    reason: "r",
    flowId: "refund",
    tried: [],
    vars: {},
    status: "queued",
    createdAt: 0,
    lastActivityAt: 0,
    activity: 0,
    reopened: 0,
    openedOutOfHours: false,
  };
}

describe("ticket lifecycle", () => {
  it("allows queued → assigned → waiting on customer → closed → reopened", () => {
    const t = ticket();
    transition(t, "assigned", 1);
    transition(t, "waiting_customer", 2);
    transition(t, "closed", 3);
    expect(t.closedAt).toBe(3);
    t.csat = { score: 4, at: 3 };
    transition(t, "assigned", 4);
    expect(t.reopened).toBe(1);
    expect(t.closedAt).toBeUndefined();
    expect(t.csat).toBeUndefined();
  });

  it("refuses moves that skip the lifecycle", () => {
    expect(canTransition("queued", "waiting_customer")).toBe(false);
    expect(() => transition(ticket(), "waiting_customer", 1)).toThrow(
      /cannot go from queued to waiting_customer/,
    );
  });

  it("drops the agent when a ticket goes back to the queue", () => {
    const t = ticket();
    transition(t, "assigned", 1);
    t.agent = { id: "telegram:1", alias: "Anna" };
    transition(t, "queued", 2);
    expect(t.agent).toBeUndefined();
  });
});
