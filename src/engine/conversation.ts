// Decides one turn: given the stored state and an inbound event, what the bot says, where the
// conversation goes, and whether a person takes over. Pure; the engine does the I/O around it.
import { isFrontlineError } from "../core/errors.ts";
import type { EscalationRequest, InboundEvent, MediaRef } from "../core/types.ts";
import { type FlowSet, nextInOrder, type ResolvedRef, resolveRef } from "../flows/flowset.ts";
import type { FlowStep, LocalizedText, StepRefSpec } from "../flows/schema.ts";
import { systemMessage } from "../flows/system-messages.ts";
import {
  askMessage,
  checkAnswer,
  localize,
  noPersonHere,
  type RunContext,
  runFrom,
  type StepOutcome,
} from "./interpreter.ts";
import { asksForMenu } from "./navigation.ts";
import { type IntentRouter, localeHint } from "./router.ts";
import { type ConversationState, newState } from "./state.ts";
import type { TurnResult } from "./turn.ts";

type AskStep = Extract<FlowStep, { ask: unknown }>;

export interface TurnDeps {
  set: FlowSet;
  router: IntentRouter;
  now: number;
  /** Whether a checked desk runs: only then may a flow hand the customer to a person. */
  handover: boolean;
}

/** Confidence needed to leave a question the customer has not answered for another flow. */
const SWITCH_CONFIDENCE = 0.6;
/** How sure the matcher must be that a message at a question is a greeting ("hello"). */
const GREETING_AT_QUESTION_CONFIDENCE = 0.85;
/** How sure the intent matcher must be that a message at a question asks for a person. Only
 * text a choice question did not accept gets here (free-text answers are taken first), so a
 * false positive costs a hand-over offer, never a lost answer. */
const PERSON_REQUEST_CONFIDENCE = 0.8;
const DEFAULT_MAX_RETRIES = 2;
/** At a menu, how far the named topic must lead the next one for typed text to choose it. */
const MENU_MARGIN = 0.15;
/** Longest customer text kept for the person handling a ticket (platforms cap lower anyway). */
const MAX_RELAY_CHARS = 16_000;

/** The state a turn starts from: the stored one (adapted to changed flows) or a new one. */
export function prepareState(
  deps: TurnDeps,
  event: InboundEvent,
  stored: ConversationState | null,
): ConversationState {
  const set = deps.set;
  const hint = localeHint(event.user.locale, set.bot.locales);
  const text = "text" in event ? event.text : "";
  const state = stored
    ? structuredClone(stored)
    : newState(set.hash, deps.router.localeFor(text, undefined, hint), deps.now);
  if (state.flowsHash !== set.hash) adoptNewFlows(set, state);
  state.turns += 1;
  // Where the customer is, so their data can be found for an erasure request.
  state.customer = { channel: event.address.channel, chatId: event.address.chatId };
  state.updatedAt = deps.now;
  return state;
}

/** Flow files changed since this state was written: keep the position only if it still exists. */
function adoptNewFlows(set: FlowSet, s: ConversationState): void {
  const step = s.flowId && s.stepId ? set.flows.get(s.flowId)?.steps.get(s.stepId) : undefined;
  if (!step || !("ask" in step)) {
    s.flowId = null;
    s.stepId = null;
    s.retries = 0;
  }
  if (!set.bot.locales.includes(s.locale)) s.locale = set.bot.defaultLocale;
  s.flowsHash = set.hash;
}

/** Runs the flows for one event on a prepared state (changed in place). */
export function decideTurn(
  deps: TurnDeps,
  event: InboundEvent,
  state: ConversationState,
): Omit<TurnResult, "replayed"> {
  return new Turn(deps, event, state).run();
}

class Turn {
  private readonly set: FlowSet;
  private readonly state: ConversationState;
  private readonly ctx: RunContext;
  private readonly hint: string | undefined;
  private confidence: number | null = null;
  private escalation: EscalationRequest | undefined;
  private ended: "resolved" | "unresolved" | undefined;
  private forAgent: TurnResult["forAgent"];

  constructor(
    private readonly deps: TurnDeps,
    private readonly event: InboundEvent,
    state: ConversationState,
  ) {
    this.set = deps.set;
    this.hint = localeHint(event.user.locale, this.set.bot.locales);
    this.state = state;
    this.ctx = {
      set: this.set,
      state: this.state,
      user: { name: event.user.name },
      out: [],
      handover: deps.handover,
    };
  }

  run(): Omit<TurnResult, "replayed"> {
    const e = this.event;
    if (!this.deps.handover && this.state.mode === "agent") this.releaseFromAgent();
    if (e.type === "command") this.onCommand(e.command, e.args.trim());
    else if (e.type === "button") this.onButton(e.payload);
    else if (e.type === "edit" && this.state.mode === "bot") {
      // An edit of a message already answered is not a new answer (the desk relays edits
      // to a person, marked as edited).
    } else this.onText(e.text, e.type === "message" ? e.attachments : undefined);
    const s = this.state;
    return {
      idempotencyKey: e.idempotencyKey,
      conversationKey: e.conversationKey,
      locale: s.locale,
      flow: this.ctx.last?.flowId ?? s.flowId,
      step: this.ctx.last?.stepId ?? s.stepId,
      confidence: this.confidence,
      messages: this.ctx.out,
      mode: s.mode,
      ...(this.escalation ? { escalation: this.escalation } : {}),
      ...(this.ended ? { ended: this.ended } : {}),
      ...(this.forAgent ? { forAgent: this.forAgent } : {}),
    };
  }

  /** Waiting for a person while no desk runs (it was turned off): nobody would ever answer, so
   * the customer is told so, once, and the bot takes this message. */
  private releaseFromAgent(): void {
    const s = this.state;
    s.mode = "bot";
    if (s.desk) delete s.desk.ticket;
    this.ctx.out.push({ text: noPersonHere(this.ctx) });
  }

  /** What the bot says to a file it cannot read: offering a person only when one can take it. */
  private mediaNotice() {
    const m = this.set.bot.messages;
    return (!this.deps.handover && m.unsupportedMediaNoDesk) || m.unsupportedMedia;
  }

  private text(t: LocalizedText): string {
    return localize(this.set, t, this.state.locale);
  }

  private onText(raw: string, media: MediaRef[] | undefined): void {
    const s = this.state;
    const text = raw.trim();
    const attachments = media?.length ?? 0;
    if (s.mode === "agent") {
      this.forAgent = {
        text: raw.slice(0, MAX_RELAY_CHARS),
        ...(media?.[0] ? { media: media[0] } : {}),
      };
      if (!s.agentAcknowledged) {
        this.ctx.out.push({ text: this.text(this.set.bot.messages.withAgent) });
        s.agentAcknowledged = true;
      }
      return;
    }
    if (text.length === 0) {
      const message = attachments > 0 ? this.mediaNotice() : this.set.bot.messages.emptyMessage;
      this.ctx.out.push({ text: this.text(message) });
      this.repeatQuestion();
      return;
    }
    if (!s.localeChosen) s.locale = this.deps.router.localeFor(text, s.locale, this.hint);
    // A photo with a caption: the caption is answered, and the customer learns the photo was not seen.
    if (attachments > 0) this.ctx.out.push({ text: this.text(this.mediaNotice()) });
    const waiting = this.waitingStep();
    if (waiting) this.answer(waiting.flowId, waiting.step, text);
    else if (!this.menuAsked(text)) this.startByIntent(text);
  }

  private waitingStep(): { flowId: string; step: AskStep } | undefined {
    const { flowId, stepId } = this.state;
    const step = flowId && stepId ? this.set.flows.get(flowId)?.steps.get(stepId) : undefined;
    return step && "ask" in step ? { flowId: flowId!, step } : undefined;
  }

  private answer(flowId: string, step: AskStep, text: string): void {
    const buttons = step.buttons ?? [];
    const lowered = text.toLowerCase();
    const pressed = buttons.findIndex(
      (b, i) =>
        String(i + 1) === text || Object.values(b.label).some((l) => l.toLowerCase() === lowered),
    );
    if (pressed >= 0) {
      this.press(flowId, step, pressed);
      return;
    }
    // After the exact labels: a flow's own "Back" button is pressed, not the menu shown.
    if (this.menuAsked(text)) return;

    const checked = checkAnswer(step, text);
    if (checked.ok) {
      if (step.save) this.state.vars[step.save] = checked.value;
      this.enter(
        step.next !== undefined
          ? resolveRef(this.set, flowId, step.next)
          : this.after(flowId, step.id),
      );
      return;
    }
    // Digits and codes are attempts to answer, never a change of subject.
    const words = /\p{L}{2,}/u.test(text);
    const matched = words ? this.deps.router.match(text) : { flowId: null, confidence: 0 };
    // The fallback's examples teach what the bot cannot answer: at a question such text is not
    // understood ("what?"), never a reason to leave the question for the fallback's menu.
    const match =
      matched.flowId === this.set.bot.fallbackFlow ? { ...matched, flowId: null } : matched;
    // Asking for a person is never read as an answer ("I want to talk to a human" is not
    // "Yes, thanks", however the buttons' words fall).
    if (match.flowId === this.set.bot.humanFlow && match.confidence >= PERSON_REQUEST_CONFIDENCE) {
      this.confidence = match.confidence;
      this.enter(this.flowStart(this.set.bot.humanFlow));
      return;
    }
    // A typed answer that clearly means one of the buttons presses it; a menu's topic button
    // then takes the text as the topic's first answer too ("I forgot my password").
    const meant = this.deps.router.buttons.match(flowId, step.id, text);
    if (meant) {
      this.confidence = meant.confidence;
      const goto = buttons[meant.index]?.goto;
      const topic = typeof goto === "object" && goto.step === undefined ? goto.flow : null;
      this.withFirstAnswer(topic, text, () => this.press(flowId, step, meant.index));
      return;
    }
    // At a menu (buttons that open topics) typed text is a choice of topic, as an opening
    // message is: the router's usual bar picks the button of the flow it names ("I can't get
    // into my account" → "Can't log in"), when no other flow comes close (refund or payment
    // for "the money didn't arrive": ask again). A person only on a clear request (above).
    // "not sure", "both": no choice, no small talk, and no topic on the menu's low bar (a clear
    // other topic still switches: "something is broken in the app" is not "something else").
    const unsure = this.deps.router.buttons.unsure(text);
    const topic = match.flowId !== this.set.bot.humanFlow && !unsure ? match.flowId : null;
    const clearlyAhead = (match.lead ?? 0) >= MENU_MARGIN;
    const opens = topic && clearlyAhead ? buttons.findIndex((b) => opensFlow(b.goto, topic)) : -1;
    if (opens >= 0) {
      this.confidence = match.confidence;
      this.withFirstAnswer(topic, text, () => this.press(flowId, step, opens));
      return;
    }

    this.confidence = match.confidence;
    if (match.flowId && match.confidence >= SWITCH_CONFIDENCE) {
      const smallTalk = this.deps.router.conversational(match.flowId);
      if (!smallTalk && match.flowId !== flowId) {
        const other = match.flowId;
        this.withFirstAnswer(other, text, () =>
          this.enter(resolveRef(this.set, other, { flow: other })),
        );
        return;
      }
      // Small talk ("ok", "thanks", "hello") at a choice is answered, not taken for a wrong
      // answer, and the question stays open. Where the customer is to type something ("describe
      // the problem"), "ok" is a too-short answer and gets the question's own retry.
      // A greeting must be clear and short ("what do you mean?" is not one: the start flow's
      // examples include "what can you do?"); small talk is short anyway.
      const clear =
        this.set.flows.get(match.flowId)?.def.smalltalk === true ||
        (match.confidence >= GREETING_AT_QUESTION_CONFIDENCE && text.split(/\s+/).length <= 3);
      if (smallTalk && clear && !unsure && buttons.length > 0) {
        this.smallTalkAt(flowId, step.id, match.flowId);
        return;
      }
    }
    this.state.retries += 1;
    if (this.state.retries > (step.maxRetries ?? DEFAULT_MAX_RETRIES)) {
      const target =
        step.onFail !== undefined
          ? resolveRef(this.set, flowId, step.onFail)
          : this.flowStart(this.set.bot.fallbackFlow);
      this.enter(target);
      return;
    }
    const again = askMessage(this.ctx, flowId, step);
    if (step.retry) again.text = this.text(step.retry);
    this.ctx.out.push(again);
  }

  /** "back", "menu", "start over" (navigation.ts): the menu, as /menu. */
  private menuAsked(text: string): boolean {
    if (!asksForMenu(text)) return false;
    this.confidence = 1;
    this.enter(this.flowStart(this.set.bot.menuFlow));
    return true;
  }

  /** Answers small talk in character and keeps the question open, its retries unused. At a
   * topical question the question is asked again (after a short hello for a greeting); at a
   * menu (the start, menu or fallback flow) it is just above, so it is not repeated, and a
   * greeting gets the menu again. A farewell ("bye") lets the question go. */
  private smallTalkAt(flowId: string, stepId: string, talk: string): void {
    const s = this.state;
    const retries = s.retries;
    const def = this.set.flows.get(talk)?.def;
    const atMenu = this.deps.router.conversational(flowId) || flowId === this.set.bot.fallbackFlow;
    if (def?.smalltalk) {
      this.enter(this.flowStart(talk));
      if (def.farewell) return;
    } else if (!atMenu)
      this.ctx.out.push({ text: systemMessage(this.set.bot, "greetingAtQuestion", s.locale) });
    s.flowId = flowId;
    s.stepId = stepId;
    s.retries = retries;
    // The turn ends where the customer is: at the question, not in the small talk.
    this.ctx.last = { flowId, stepId };
    if (!atMenu || !def?.smalltalk) this.repeatQuestion();
  }

  private press(flowId: string, step: AskStep, index: number): void {
    const button = step.buttons![index]!;
    if (step.save) this.state.vars[step.save] = button.value ?? String(index + 1);
    const ref = button.goto ?? step.next;
    this.enter(ref !== undefined ? resolveRef(this.set, flowId, ref) : this.after(flowId, step.id));
  }

  private startByIntent(text: string): void {
    const match = this.deps.router.route(text);
    this.confidence = match.confidence;
    this.withFirstAnswer(match.flowId, text, () =>
      this.enter(this.flowStart(match.flowId ?? this.set.bot.fallbackFlow)),
    );
  }

  /** Opens a topic (`go`) for a text that chose it, which may already answer its first
   * question. Only a question the flow opens with (nothing said before it): a later one ("did
   * that help?") asks about what the bot has just said, which the text cannot answer. */
  private withFirstAnswer(flowId: string | null, text: string, go: () => void): void {
    const said = this.ctx.out.length;
    go();
    if (flowId && this.ctx.out.length === said + 1) this.fillFirstQuestion(flowId, text);
  }

  /**
   * The message that started a flow may already answer its first question ("I forgot my
   * password" → which problem?): then the question is not asked, its button is pressed.
   */
  private fillFirstQuestion(flowId: string, text: string): void {
    const { bot } = this.set;
    if (flowId === bot.startFlow || flowId === bot.menuFlow) return;
    const waiting = this.waitingStep();
    if (!waiting || waiting.flowId !== flowId || !waiting.step.buttons?.length) return;
    const meant = this.deps.router.buttons.match(flowId, waiting.step.id, text, "opening");
    if (!meant) return;
    this.ctx.out.pop(); // the question we no longer need to ask
    this.press(flowId, waiting.step, meant.index);
  }

  private onButton(payload: string): void {
    this.confidence = 1;
    const language = /^lang:([a-z]{2,3})$/.exec(payload);
    if (language) {
      this.switchLanguage(language[1]!);
      return;
    }
    const triggered = this.set.payloads.get(payload);
    if (triggered) {
      this.enter(this.flowStart(triggered));
      return;
    }
    const [flowId, stepId, index] = payload.split(":");
    const step = flowId && stepId ? this.set.flows.get(flowId)?.steps.get(stepId) : undefined;
    const i = Number(index);
    // An older message's button still works while its step exists: customers scroll up and tap.
    if (step && "ask" in step && Number.isInteger(i) && step.buttons?.[i]) {
      this.press(flowId!, step, i);
      return;
    }
    this.ctx.out.push({ text: this.text(this.set.bot.messages.staleButton) });
    this.enter(this.flowStart(this.set.bot.menuFlow));
  }

  private onCommand(command: string, args: string): void {
    const { bot } = this.set;
    this.confidence = 1;
    switch (command) {
      case "start":
        this.state.vars = {};
        this.enter(this.flowStart(bot.startFlow));
        return;
      case "menu":
        this.enter(this.flowStart(bot.menuFlow));
        return;
      case "human":
        if (this.state.mode === "agent") {
          this.ctx.out.push({ text: this.text(bot.messages.withAgent) });
          return;
        }
        this.enter(this.flowStart(bot.humanFlow));
        return;
      case "cancel":
        // Leaves the question the bot waits at (a person's queue is the desk's /cancel).
        if (this.state.flowId) {
          this.state.flowId = null;
          this.state.stepId = null;
          this.state.retries = 0;
          this.enter(this.flowStart(bot.menuFlow));
        } else
          this.ctx.out.push({ text: systemMessage(bot, "nothingToCancel", this.state.locale) });
        return;
      case "status":
        // With a desk its own /status answers; this is the bot alone (or an older state).
        this.ctx.out.push({
          text:
            this.state.mode === "agent"
              ? this.text(bot.messages.withAgent)
              : systemMessage(bot, "statusNoRequest", this.state.locale),
        });
        return;
      case "help":
        this.ctx.out.push({
          // Without a desk the help must not list a way to a person that leads nowhere.
          text: this.text((!this.deps.handover && bot.messages.helpNoDesk) || bot.messages.help),
        });
        return;
      case "language": {
        const code = args.toLowerCase();
        if (bot.locales.includes(code)) {
          this.switchLanguage(code);
          return;
        }
        this.ctx.out.push({
          text: this.text(bot.messages.chooseLanguage),
          buttons: bot.locales.map((l) => ({
            label: bot.languageNames[l] ?? l,
            payload: `lang:${l}`,
          })),
        });
        return;
      }
    }
    const flowId = this.set.commands.get(command);
    if (flowId) {
      this.enter(this.flowStart(flowId));
      return;
    }
    this.confidence = 0;
    this.enter(this.flowStart(bot.fallbackFlow));
  }

  private switchLanguage(locale: string): void {
    if (!this.set.bot.locales.includes(locale)) {
      this.ctx.out.push({ text: this.text(this.set.bot.messages.staleButton) });
      return;
    }
    this.state.locale = locale;
    this.state.localeChosen = true;
    this.ctx.out.push({ text: this.text(this.set.bot.messages.languageSwitched) });
    this.repeatQuestion();
  }

  /** Shows the open question again (in the current language), so the customer can go on. */
  private repeatQuestion(): void {
    const waiting = this.waitingStep();
    if (waiting) this.ctx.out.push(askMessage(this.ctx, waiting.flowId, waiting.step));
  }

  private flowStart(flowId: string): ResolvedRef | undefined {
    return resolveRef(this.set, flowId, { flow: flowId });
  }

  private after(flowId: string, stepId: string): ResolvedRef | undefined {
    const next = nextInOrder(this.set.flows.get(flowId)!, stepId);
    return next ? { flowId, stepId: next } : undefined;
  }

  private enter(at: ResolvedRef | undefined): void {
    const s = this.state;
    if (!at) {
      this.settle({ type: "completed", status: "resolved" });
      return;
    }
    let outcome: StepOutcome;
    try {
      outcome = runFrom(this.ctx, at);
    } catch (err) {
      // A loop the validator could not see (e.g. flows edited without validation): never spin,
      // never go silent; the fallback offers the menu and a person.
      if (!isFrontlineError(err, "FL_ERR_FLOW_LOOP") || at.flowId === this.set.bot.fallbackFlow)
        throw err;
      s.flowId = null;
      s.stepId = null;
      outcome = runFrom(this.ctx, this.flowStart(this.set.bot.fallbackFlow)!);
    }
    this.settle(outcome);
  }

  private settle(outcome: StepOutcome): void {
    const s = this.state;
    if (outcome.type === "waiting") return;
    s.flowId = null;
    s.stepId = null;
    s.retries = 0;
    if (outcome.type === "completed") {
      // Small talk ends nothing a customer came for: it is not counted as a resolution.
      const flow = this.ctx.last ? this.set.flows.get(this.ctx.last.flowId) : undefined;
      if (!flow?.def.smalltalk) this.ended = outcome.status;
      return;
    }
    if (s.mode === "agent") return; // already with a person: one ticket at a time
    s.mode = "agent";
    s.agentAcknowledged = false;
    const e = this.event;
    this.escalation = {
      conversationKey: e.conversationKey,
      address: e.address,
      user: e.user,
      locale: s.locale,
      skill: outcome.skill,
      priority: outcome.priority,
      reason: outcome.reason,
      flowId: outcome.flowId,
      stepId: outcome.stepId,
      tried: [...s.tried],
      vars: { ...s.vars },
    };
  }
}

/** A button that opens `flowId` from its start (a menu's topic button). */
function opensFlow(ref: StepRefSpec | undefined, flowId: string): boolean {
  return typeof ref === "object" && ref.flow === flowId && ref.step === undefined;
}
