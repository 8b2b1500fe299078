// One customer talking to the engine from a terminal or a test: turns lines into events and
// remembers the buttons last shown, so "2" or a label presses one.
import { randomUUID } from "node:crypto";
import type { Button, InboundEvent } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import type { TurnResult } from "../engine/turn.ts";

export class TerminalSession {
  readonly sessionId: string;
  private counter = 0;
  /** This run of the session: a session continued later (`--session`) numbers its messages
   * from 1 again, and the same idempotency key would replay the first run's answers. */
  private readonly run = randomUUID().slice(0, 8);
  private buttons: Button[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly options: { sessionId?: string; locale?: string; userName?: string } = {},
  ) {
    this.sessionId = options.sessionId ?? randomUUID().slice(0, 12);
  }

  get lastButtons(): Button[] {
    return this.buttons;
  }

  /** A line as a customer would type it: `/command args`, a button number, or free text. */
  async send(line: string): Promise<TurnResult> {
    const command = /^\/([a-zA-Z0-9_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(line.trim());
    if (command)
      return this.dispatch({
        type: "command",
        command: command[1]!.toLowerCase(),
        args: command[2] ?? "",
      });
    const number = /^\d{1,2}$/.test(line.trim()) ? Number(line.trim()) : 0;
    const button = number > 0 ? this.buttons[number - 1] : undefined;
    if (button) return this.dispatch({ type: "button", payload: button.payload });
    return this.dispatch({ type: "message", text: line });
  }

  /** Presses a button of the last turn by its label (case-insensitive) or 1-based number. */
  async press(labelOrNumber: string): Promise<TurnResult> {
    const wanted = labelOrNumber.trim().toLowerCase();
    const byNumber = /^\d+$/.test(wanted) ? this.buttons[Number(wanted) - 1] : undefined;
    const button = byNumber ?? this.buttons.find((b) => b.label.toLowerCase() === wanted);
    if (!button) {
      const shown = this.buttons.map((b) => `"${b.label}"`).join(", ") || "none";
      throw new Error(`no button "${labelOrNumber}" in the last bot turn (buttons: ${shown})`);
    }
    return this.dispatch({ type: "button", payload: button.payload });
  }

  private async dispatch(
    body:
      | { type: "message"; text: string }
      | { type: "button"; payload: string }
      | { type: "command"; command: string; args: string },
  ): Promise<TurnResult> {
    this.counter += 1;
    const event = {
      ...body,
      idempotencyKey: `term:${this.sessionId}:${this.run}:${this.counter}`,
      conversationKey: `terminal:${this.sessionId}`,
      address: { channel: "terminal", chatId: this.sessionId },
      user: {
        id: this.sessionId,
        name: this.options.userName ?? "you",
        locale: this.options.locale,
      },
      at: Date.now(),
    } as InboundEvent;
    const result = await this.engine.handle(event);
    const shown = result.messages.flatMap((m) => m.buttons ?? []);
    if (shown.length > 0 || result.messages.length > 0) this.buttons = shown;
    return result;
  }
}

/** The one-line JSON form of a bot turn that `frontline chat --json` prints. */
export function turnJson(result: TurnResult) {
  return {
    flow: result.flow,
    step: result.step,
    confidence: result.confidence === null ? null : Math.round(result.confidence * 1000) / 1000,
    locale: result.locale,
    text: result.messages.map((m) => m.text).join("\n\n"),
    buttons: result.messages.flatMap((m) => (m.buttons ?? []).map((b) => b.label)),
    escalated: result.mode === "agent",
  };
}
