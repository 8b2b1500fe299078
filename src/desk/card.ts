// The ticket card: the first message of a ticket's thread, telling agents who the customer is,
// why the bot handed over and what it tried, with the buttons to act.
import type { OutboundMessage } from "../core/types.ts";
import type { TranscriptEntry } from "./store.ts";
import type { Ticket } from "./ticket.ts";

export function cardMessage(t: Ticket, log: TranscriptEntry[], maxLength: number): OutboundMessage {
  return {
    text: cardText(t, log, maxLength),
    buttons:
      t.status === "closed"
        ? []
        : [
            { label: "✋ Claim", payload: `desk:claim:${t.number}` },
            { label: "✅ Close", payload: `desk:close:${t.number}` },
            { label: "↪ Transfer", payload: `desk:transfer:${t.number}` },
          ],
  };
}

function who(t: Ticket): string {
  const { user, address } = t.customer;
  const parts = [
    user.name || "unknown",
    user.username ? `@${user.username}` : "",
    `${address.channel} id ${user.id}`,
  ].filter(Boolean);
  return parts.join(" · ");
}

function history(t: Ticket): string {
  const h = t.history;
  if (!h || h.count === 0) return "First ticket of this customer.";
  return `Earlier tickets: ${h.count} (last #${h.last}).`;
}

function cardText(t: Ticket, log: TranscriptEntry[], maxLength: number): string {
  const c = t.customer;
  const lines = [
    `🎫 Ticket #${t.number} · ${t.priority.toUpperCase()} · skill ${t.skill}`,
    `Customer: ${who(t)}`,
    c.user.link ? `Profile: ${c.user.link}` : "",
    `Language: ${c.locale} · ${history(t)}`,
    `Reason: ${t.reason}`,
    `The bot tried: ${t.tried.join(" → ") || "nothing"}`,
    ...Object.entries(t.vars).map(([k, v]) => `• ${k}: ${v.slice(0, 200)}`),
    t.openedOutOfHours ? "Opened outside business hours." : "",
    "",
    "Write here to answer the customer. // or /note for internal notes. /close /transfer <skill|alias> /alias <name> /block",
  ];
  const recent = log.filter((l) => l.from === "customer").slice(-5);
  if (recent.length)
    lines.push("", "Recent customer messages:", ...recent.map((l) => `👤 ${l.text.slice(0, 300)}`));
  // The card is one message with the buttons under it: it must fit in one.
  return lines
    .filter((l, i, all) => l !== "" || (all[i - 1] !== "" && i > 0))
    .join("\n")
    .slice(0, maxLength);
}
