// The flow file format: zod schemas that validate flows and also emit the JSON Schema
// editors use for autocomplete (`frontline schema > flows/flow.schema.json`).
import { z } from "zod";
import { DeskConfig } from "../desk/config.ts";

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "use lower case letters, digits and _; start with a letter");
const localeCode = z.string().regex(/^[a-z]{2,3}$/, "use a two- or three-letter language code");

/** A user-visible text, one entry per locale: `{ en: "Hello", ru: "Здравствуйте" }`. */
export const Localized = z
  .record(localeCode, z.string().min(1, "text must not be empty"))
  .describe("One text per locale, e.g. { en: 'Hello', ru: 'Здравствуйте' }");

/** A step in this flow (`check_email`) or the start (or a step) of another flow. */
export const StepRef = z.union([
  identifier.describe("id of a step in this flow"),
  z
    .object({ flow: identifier, step: identifier.optional() })
    .strict()
    .describe("another flow, from its first step or from the named step"),
]);

export const ButtonSpec = z
  .object({
    label: Localized,
    /** Stored in `save` when pressed; defaults to the button's position. */
    value: z.string().min(1).max(40).optional(),
    goto: StepRef.optional(),
    examples: z
      .record(z.string().regex(/^[a-z]{2,3}$/), z.array(z.string().min(1)))
      .optional()
      .describe(
        "what customers type meaning this button, per locale: a typed answer that clearly matches presses it",
      ),
  })
  .strict();

export const InputSpec = z
  .object({
    pattern: z
      .string()
      .optional()
      .describe(
        "regular expression in RE2 syntax (linear time: no backreferences or lookaround) the answer must match",
      ),
    choices: z.array(z.string().min(1)).optional().describe("accepted answers (case-insensitive)"),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(4000).optional(),
    transform: z.enum(["trim", "upper", "lower"]).optional(),
  })
  .strict()
  .describe("accept free text; {} accepts any non-empty text");

const base = { id: identifier, note: z.string().optional() };

export const SayStep = z.object({ ...base, say: Localized, next: StepRef.optional() }).strict();

export const AskStep = z
  .object({
    ...base,
    ask: Localized,
    askWithoutDesk: Localized.optional().describe(
      "the question's words when no desk takes hand-overs (without the offer of a person); buttons to the human flow are then not shown either",
    ),
    buttons: z.array(ButtonSpec).max(12).optional(),
    input: InputSpec.optional(),
    save: identifier.optional().describe("variable that receives the answer"),
    retry: Localized.optional().describe("said when the answer is not accepted"),
    maxRetries: z.number().int().min(0).max(10).optional(),
    onFail: StepRef.optional().describe("where to go after maxRetries failed answers"),
    next: StepRef.optional(),
  })
  .strict();

export const SetStep = z
  .object({ ...base, set: z.record(identifier, z.string()), next: StepRef.optional() })
  .strict();

export const Condition = z
  .object({
    var: z
      .union([identifier, z.literal("desk.available")])
      .describe(
        'a saved variable, or desk.available ("yes" when a desk takes hand-overs, else "no")',
      ),
    equals: z.string().optional(),
    in: z.array(z.string()).optional(),
    matches: z.string().optional(),
    exists: z.boolean().optional(),
  })
  .strict();

export const IfStep = z
  .object({
    ...base,
    if: Condition,
    // biome-ignore lint/suspicious/noThenProperty: `then` is the flow format's own key, never awaited
    then: StepRef,
    else: StepRef.optional(),
  })
  .strict();

export const GotoStep = z.object({ ...base, goto: StepRef }).strict();

export const EscalateStep = z
  .object({
    ...base,
    escalate: z
      .object({
        skill: identifier,
        priority: z.enum(["low", "normal", "high", "urgent"]).optional(),
        reason: z.string().min(1).describe("for agents: why the bot handed over"),
      })
      .strict(),
    say: Localized.optional().describe("told to the customer when the ticket is opened"),
  })
  .strict();

export const EndStep = z
  .object({ ...base, end: z.enum(["resolved", "unresolved"]), say: Localized.optional() })
  .strict();

/** Step kinds by the key that names them; a step has exactly one of these keys. */
export const stepSchemas = {
  say: SayStep,
  ask: AskStep,
  set: SetStep,
  if: IfStep,
  goto: GotoStep,
  escalate: EscalateStep,
  end: EndStep,
} as const;
export type StepKind = keyof typeof stepSchemas;
export const stepKinds = Object.keys(stepSchemas) as StepKind[];

export const Step = z.union([SayStep, AskStep, SetStep, IfStep, GotoStep, EscalateStep, EndStep]);

export const Triggers = z
  .object({
    examples: z
      .record(localeCode, z.array(z.string().min(1)))
      .optional()
      .describe("phrases customers say, per locale; they train the intent matcher"),
    keywords: z
      .record(localeCode, z.array(z.string().min(1)))
      .optional()
      .describe("words that strongly suggest this flow"),
    commands: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).optional(),
    payloads: z.array(z.string().min(1).max(40)).optional(),
  })
  .strict();

export const Flow = z
  .object({
    $schema: z.string().optional(),
    id: identifier,
    title: Localized.describe("shown in menus and to agents"),
    triggers: Triggers.optional(),
    smalltalk: z
      .boolean()
      .optional()
      .describe(
        "small talk (thanks, bye, who are you): answered in character, never a topic, never counted as a resolution",
      ),
    farewell: z
      .boolean()
      .optional()
      .describe(
        "small talk that takes leave (bye): said at a question, the question is let go instead of asked again",
      ),
    steps: z.array(Step).min(1),
  })
  .strict();

export const BotConfig = z
  .object({
    $schema: z.string().optional(),
    locales: z.array(localeCode).min(1),
    defaultLocale: localeCode,
    languageNames: z.record(localeCode, z.string().min(1)),
    startFlow: identifier.describe("on /start and the first message of a new conversation"),
    fallbackFlow: identifier.describe("when no flow matches well enough"),
    humanFlow: identifier.describe("on /human"),
    menuFlow: identifier.describe("on /menu"),
    matchThreshold: z.number().min(0).max(1).optional(),
    humanContact: Localized.optional().describe(
      "where customers can reach a person when no desk runs in this chat (e-mail, phone, a link), per locale",
    ),
    floodControl: z
      .object({
        burst: z.number().int().min(1).max(1000).default(10),
        perMinute: z.number().min(1).max(10_000).default(20),
      })
      .strict()
      .optional()
      .describe(
        "per-customer message rate; faster messages are kept and answered together with the next one (default 10 at once, 20 a minute)",
      ),
    messages: z
      .object({
        languageSwitched: Localized,
        chooseLanguage: Localized,
        staleButton: Localized,
        emptyMessage: Localized,
        unsupportedMedia: Localized,
        withAgent: Localized.describe("acknowledges a message while a person has the conversation"),
        help: Localized,
        helpNoDesk: Localized.optional().describe(
          "the help text when no desk runs (no person can be reached here): it must not promise one",
        ),
        unsupportedMediaNoDesk: Localized.optional().describe(
          "unsupportedMedia when no desk runs: nobody can look at the file either",
        ),
        somethingWentWrong: Localized.optional().describe(
          "sent when a message could not be processed and was set aside for a person",
        ),
        slowDown: Localized.optional().describe(
          "sent once when a customer writes faster than the flood limit",
        ),
        blocked: Localized.optional().describe("sent once to a customer an agent blocked"),
        noPersonHere: Localized.optional().describe(
          "{{contact}}; sent instead of an escalation when no desk runs",
        ),
        leftQueue: Localized.optional().describe("{{number}}; after /cancel or 'Back to the bot'"),
        leaveAgentQuestion: Localized.optional().describe(
          "{{number}}, {{agent}}: like leaveQueueQuestion, once an agent has the request",
        ),
        stayWithAgent: Localized.optional().describe("{{number}}, {{agent}}"),
        leftAgent: Localized.optional().describe(
          "{{number}}, {{agent}}: like leftQueue, once an agent had it",
        ),
        leaveQueueQuestion: Localized.optional().describe(
          "{{number}}; asked when a waiting customer uses a bot command or button",
        ),
        stayInQueue: Localized.optional().describe("{{number}}"),
        nothingToCancel: Localized.optional(),
        greetingAtQuestion: Localized.optional(),
        statusNoRequest: Localized.optional().describe("/status with no request open and no desk"),
        privateThreadOpened: Localized.optional().describe(
          "{{thread}}; the short public note that points a customer to their private support thread (Discord)",
        ),
        privateThreadFailed: Localized.optional().describe(
          "said when Discord refuses to make a private support thread where the customer asked",
        ),
        supportPanel: Localized.optional().describe(
          "the panel message posted in the support channel (Discord DISCORD_SUPPORT_CHANNEL_ID)",
        ),
        supportPanelButton: Localized.optional().describe("the panel's button label"),
        deskTrouble: Localized.optional().describe(
          "{{number}}; sent when the agents' chat cannot be reached for a ticket",
        ),
      })
      .strict(),
    desk: DeskConfig.optional().describe(
      "the human desk: hours, SLA, agents, assignment, customer notices",
    ),
    commandMenu: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), Localized)
      .optional()
      .describe(
        "descriptions of the commands platforms list in their menu (Telegram setMyCommands), per locale",
      ),
  })
  .strict();

export type LocalizedText = z.infer<typeof Localized>;
export type StepRefSpec = z.infer<typeof StepRef>;
export type ButtonDef = z.infer<typeof ButtonSpec>;
export type FlowStep = z.infer<typeof Step>;
export type FlowDef = z.infer<typeof Flow>;
export type BotConfigDef = z.infer<typeof BotConfig>;

/** `escalate` and `end` steps may carry a `say`, so `say` is the kind only when nothing else is. */
const kindPrecedence: StepKind[] = ["ask", "set", "if", "goto", "escalate", "end", "say"];

export function stepKind(step: FlowStep): StepKind {
  for (const kind of kindPrecedence) if (kind in step) return kind;
  throw new Error("unreachable: step without kind");
}

export function flowJsonSchema(): unknown {
  return z.toJSONSchema(Flow, { target: "draft-7", io: "input" });
}
export function botConfigJsonSchema(): unknown {
  return z.toJSONSchema(BotConfig, { target: "draft-7", io: "input" });
}
