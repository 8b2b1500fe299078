// The lead's settings for the human desk, in the `desk:` section of frontline.yaml.
import { z } from "zod";

const Localized = z.record(z.string().regex(/^[a-z]{2,3}$/), z.string().min(1));

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const Span = z
  .string()
  .regex(
    /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
    'use "HH:MM-HH:MM", e.g. "09:00-18:00"',
  )
  .refine((v) => v.slice(0, 5) < v.slice(6), "the end must be after the start");

export const AgentSpec = z
  .object({
    /** The agent's platform account: "telegram:777". */
    id: z.string().regex(/^[a-z]+:\d+$/, 'write the agent\'s account as "telegram:<user id>"'),
    alias: z.string().min(1).max(32).describe("the pseudonym customers see"),
    skills: z.array(z.string().min(1)).min(1),
    languages: z.array(z.string().regex(/^[a-z]{2,3}$/)).min(1),
    capacity: z.number().int().min(1).max(50).default(3),
  })
  .strict();

export const DeskMessages = z
  .object({
    ticketOpened: Localized.describe("{{number}}, {{position}}, {{eta}}"),
    outOfHours: Localized.describe("{{number}}, {{back}}"),
    agentJoined: Localized.describe("{{agent}}"),
    stillWorking: Localized.describe("{{number}}, {{position}}"),
    closed: Localized.describe("{{number}}; followed by the 1-5 rating buttons"),
    csatComment: Localized,
    csatThanks: Localized,
    autoCloseWarning: Localized.describe("{{minutes}}"),
    reopened: Localized.describe("{{number}}"),
    statusQueued: Localized.describe("{{number}}, {{position}}, {{eta}}"),
    statusAssigned: Localized.describe("{{number}}, {{agent}}"),
    statusNone: Localized,
    minutes: Localized.describe("{{n}} → 'about 5 minutes'"),
    relayQueued: Localized.optional().describe(
      "{{number}}: the first message while waiting, before anyone took the request",
    ),
    relayAssigned: Localized.optional().describe(
      "{{agent}}: the first message after an agent took the request",
    ),
    noEstimate: Localized.optional().describe(
      "instead of {{eta}} when no honest estimate exists (no recent waits, nobody on shift)",
    ),
  })
  .strict();

export const DeskConfig = z
  .object({
    assignment: z.enum(["claim", "auto"]).default("claim"),
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "unknown time zone; use an IANA name like Europe/Warsaw"),
    hours: z
      .partialRecord(z.enum(weekdays), Span)
      .describe("open hours per weekday; days left out are closed"),
    firstResponseSlaMinutes: z
      .number()
      .min(0.01)
      .max(24 * 60)
      .default(5),
    autoCloseAfterMinutes: z
      .number()
      .min(0.01)
      .max(30 * 24 * 60)
      .default(24 * 60),
    autoCloseWarningMinutes: z
      .number()
      .min(0.01)
      .max(24 * 60)
      .default(60),
    reopenWindowMinutes: z
      .number()
      .min(0)
      .max(30 * 24 * 60)
      .default(60),
    retentionDays: z
      .number()
      .min(1)
      .max(3650)
      .default(180)
      .describe("tickets and transcripts are deleted this many days after their last change"),
    agents: z.array(AgentSpec).default([]),
    messages: DeskMessages,
  })
  .strict();

export type DeskConfigDef = z.infer<typeof DeskConfig>;
export type AgentDef = z.infer<typeof AgentSpec>;
