// Error injection (failNext, failWhen) and an optional sliding-window rate limiter (429s).
import { type ApiError, errorFromSpec, tooManyRequests } from "./errors.ts";
import type { FailPredicate, FailSpec, RateLimits } from "./types.ts";

/** Methods that create a message and so count against rate limits. */
const SENDING = new Set(
  [
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendVideo",
    "sendAudio",
    "sendVoice",
    "sendSticker",
    "sendAnimation",
    "sendVideoNote",
    "sendMediaGroup",
    "sendLocation",
    "sendContact",
    "sendPoll",
    "sendDice",
    "copyMessage",
    "forwardMessage",
  ].map((m) => m.toLowerCase()),
);

class Window {
  private readonly stamps: number[] = [];
  constructor(
    readonly limit: number,
    readonly spanMs: number,
  ) {}
  /** ms until a slot frees, or 0 if one is free now. */
  wait(now: number): number {
    while (this.stamps.length > 0 && (this.stamps[0] as number) <= now - this.spanMs)
      this.stamps.shift();
    return this.stamps.length < this.limit ? 0 : (this.stamps[0] as number) + this.spanMs - now;
  }
  take(now: number): void {
    this.stamps.push(now);
  }
}

export class Faults {
  private readonly next = new Map<string, Array<{ spec: FailSpec; left: number }>>();
  private readonly predicates = new Set<FailPredicate>();
  private limits: RateLimits | undefined;
  private global: Window | undefined;
  private readonly perChat = new Map<number | string, Window>();
  private readonly perGroup = new Map<number | string, Window>();

  failNext(method: string, spec: FailSpec): void {
    const key = method.toLowerCase();
    let list = this.next.get(key);
    if (!list) {
      list = [];
      this.next.set(key, list);
    }
    list.push({ spec, left: Math.max(1, spec.times ?? 1) });
  }

  failWhen(predicate: FailPredicate): () => void {
    this.predicates.add(predicate);
    return () => {
      this.predicates.delete(predicate);
    };
  }

  setLimits(limits: RateLimits | undefined): void {
    this.limits = limits;
    this.global = limits?.globalPerSecond ? new Window(limits.globalPerSecond, 1000) : undefined;
    this.perChat.clear();
    this.perGroup.clear();
  }

  /** The injected error for this call, if any (checked before the method runs). */
  injected(method: string, params: Record<string, unknown>): ApiError | undefined {
    const key = method.toLowerCase();
    const listKey = this.next.has(key) ? key : this.next.has("*") ? "*" : undefined;
    const list = listKey === undefined ? undefined : this.next.get(listKey);
    const head = list?.[0];
    if (list && head) {
      if (--head.left <= 0) list.shift();
      if (list.length === 0) this.next.delete(listKey as string);
      return errorFromSpec(head.spec);
    }
    for (const p of this.predicates) {
      const spec = p({ method, params });
      if (spec) return errorFromSpec(spec);
    }
    if (this.limits && SENDING.has(key)) return this.rateLimit(params.chat_id);
    return undefined;
  }

  private rateLimit(chatIdRaw: unknown): ApiError | undefined {
    const l = this.limits as RateLimits;
    const now = Date.now();
    const chatId = typeof chatIdRaw === "number" ? chatIdRaw : String(chatIdRaw);
    const isGroup =
      typeof chatId === "number" ? chatId < 0 : chatId.startsWith("-") || chatId.startsWith("@");
    const windows: Window[] = [];
    if (this.global) windows.push(this.global);
    if (l.perChatPerSecond)
      windows.push(this.window(this.perChat, chatId, l.perChatPerSecond, 1000));
    if (isGroup && l.perGroupPerMinute) {
      windows.push(this.window(this.perGroup, chatId, l.perGroupPerMinute, 60_000));
    }
    let wait = 0;
    for (const w of windows) wait = Math.max(wait, w.wait(now));
    if (wait > 0) return tooManyRequests(wait / 1000);
    for (const w of windows) w.take(now);
    return undefined;
  }

  private window(
    map: Map<number | string, Window>,
    key: number | string,
    limit: number,
    span: number,
  ): Window {
    let w = map.get(key);
    if (!w) {
      w = new Window(limit, span);
      map.set(key, w);
    }
    return w;
  }

  reset(): void {
    this.next.clear();
    this.predicates.clear();
    this.setLimits(undefined);
  }
}
