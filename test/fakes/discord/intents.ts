// Gateway intents: which session gets which dispatch, and what MessageContent hides.
import { GatewayIntentBits as I } from "discord-api-types/v10";

export { I as Intent };

export const ALL_INTENTS = Object.values(I)
  .filter((v): v is number => typeof v === "number")
  .reduce((a, b) => a | b, 0);

/** How a dispatch is routed by intents. */
export interface DispatchMeta {
  /** Sessions without this intent bit do not get the event (0/undefined: everyone). */
  intent?: number;
  /** A message event: without MessageContent the content fields arrive blank unless exempt. */
  content?: { exempt: boolean };
}

/** What a message looks like to a session without MessageContent (discord-api-docs gateway.mdx). */
export function blankContent(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...d,
    content: "",
    embeds: [],
    attachments: [],
    components: [],
  };
  delete out.poll;
  return out;
}

// Application flags that unlock the privileged intents (full or "limited" for small bots).
const PRIVILEGED: Array<[intent: number, flags: number]> = [
  [I.GuildPresences, (1 << 12) | (1 << 13)],
  [I.GuildMembers, (1 << 14) | (1 << 15)],
  [I.MessageContent, (1 << 18) | (1 << 19)],
];

/** True when IDENTIFY asks for a privileged intent the application is not allowed (close 4014). */
export function disallowed(intents: number, applicationFlags: number): boolean {
  return PRIVILEGED.some(
    ([bit, flags]) => (intents & bit) !== 0 && (applicationFlags & flags) === 0,
  );
}
