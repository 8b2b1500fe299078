// The fake's shared core: state holders, method dispatch with fault injection, and the call log.
import type { Message, UserFromGetMe } from "grammy/types";
import { ApiError } from "./errors.ts";
import { Faults } from "./faults.ts";
import { FileStore } from "./files.ts";
import { METHODS } from "./methods/index.ts";
import type { Params } from "./params.ts";
import { type MsgRec, State } from "./state.ts";
import type { CallbackAnswer, CallRecord, SentMessage } from "./types.ts";
import { type QueueOptions, UpdateQueue } from "./updates.ts";

/** Per-request hooks a method handler may use. */
export interface CallIO {
  /** Runs `cb` if the client goes away before the response is written. */
  onAbort(cb: () => void): void;
  /** Set by handlers that create or edit a bot message (ends up in CallRecord.message). */
  message?: SentMessage;
}

export type Handler = (core: Core, p: Params, io: CallIO) => unknown;

export class Core {
  readonly state: State;
  readonly files = new FileStore();
  readonly updates: UpdateQueue;
  readonly faults = new Faults();
  readonly calls: CallRecord[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  private seq = 0;
  private readonly listeners = new Set<(call: CallRecord) => void>();

  constructor(
    readonly token: string,
    readonly bot: UserFromGetMe,
    readonly recordCalls: boolean,
    queue: QueueOptions,
  ) {
    this.state = new State(bot);
    this.updates = new UpdateQueue(queue);
  }

  /** Next CallRecord.seq (a cursor for `waitFor(..., { since })`). */
  get nextSeq(): number {
    return this.seq;
  }

  async call(methodRaw: string, p: Params, io: CallIO): Promise<unknown> {
    const entry = METHODS.get(methodRaw.toLowerCase());
    const rec: CallRecord = {
      seq: this.seq++,
      method: entry?.name ?? methodRaw,
      params: p.raw,
      at: Date.now(),
      ok: false,
    };
    try {
      if (!entry) throw new ApiError(404, "Not Found: method not found");
      const injected = this.faults.injected(entry.name, p.raw);
      if (injected) throw injected;
      let result = entry.fn(this, p, io);
      if (result instanceof Promise) result = await result;
      rec.ok = true;
      rec.result = result;
      if (io.message) rec.message = io.message;
      return result;
    } catch (err) {
      let e: ApiError;
      if (err instanceof ApiError) e = err;
      else {
        console.error(`[fake-telegram] ${rec.method} crashed:`, err);
        e = new ApiError(500, `Internal Server Error: ${(err as Error)?.message ?? String(err)}`);
      }
      rec.error = { error_code: e.error_code, description: e.description };
      throw e;
    } finally {
      if (this.recordCalls) this.calls.push(rec);
      for (const listener of this.listeners) listener(rec);
    }
  }

  onCall(listener: (call: CallRecord) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The inspection view of a stored bot message. */
  view(rec: MsgRec): SentMessage {
    const v = { ...rec.msg, via: rec.via } as SentMessage;
    if (rec.parseMode !== undefined) v.parse_mode = rec.parseMode;
    if (rec.markup !== undefined) v.sent_reply_markup = rec.markup;
    return v;
  }

  /** Marks `rec` as this call's message and returns the API Message. */
  sent(io: CallIO, rec: MsgRec): Message {
    io.message = this.view(rec);
    return rec.msg;
  }

  reset(): void {
    this.calls.length = 0;
    this.callbackAnswers.length = 0;
    this.state.reset();
    this.files.reset();
    this.updates.reset();
    this.faults.reset();
  }
}
