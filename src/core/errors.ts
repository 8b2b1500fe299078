// One registry of named errors with stable codes (in the manner of fastify's FST_ERR_*).
// Errors cross process and queue boundaries, so callers match on `code`, not on `instanceof`.

export const ErrorCodes = {
  FL_ERR_FLOW_INVALID: "Flows failed validation",
  FL_ERR_FLOW_LOOP: "A flow ran too many steps without waiting for the customer",
  FL_ERR_CONFIG: "Configuration is invalid",
  FL_ERR_REDIS_UNAVAILABLE: "Redis is not reachable",
  FL_ERR_STATE_CONFLICT: "Conversation state changed under us too many times",
  FL_ERR_INPUT: "The input cannot be processed",
  FL_ERR_PREFLIGHT: "A platform is not set up the way Frontline needs",
  FL_ERR_NOT_RECORDED:
    "An update could not be recorded; it must not be acknowledged so the platform delivers it again",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class FrontlineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FrontlineError";
    this.code = code;
  }
}

export function isFrontlineError(err: unknown, code?: ErrorCode): err is FrontlineError {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { code?: unknown }).code === "string" &&
    (code === undefined || (err as { code: string }).code === code)
  );
}

/**
 * A failed send, classified by the adapter that knows its platform:
 * - `rate_limited`: wait `retryAfterMs`, then send again (Telegram 429 retry_after);
 * - `transient`: 5xx, network; back off and send again;
 * - `unreachable`: the chat is gone or blocked us (403, chat not found); stop sending there;
 * - `rejected`: the platform refuses this one message (a 400); drop it, keep the chat.
 */
export class DeliveryError extends Error {
  readonly code = "FL_ERR_DELIVERY";
  constructor(
    readonly kind: "rate_limited" | "transient" | "unreachable" | "rejected",
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** Thrown by a workspace's `post` when the thread was deleted by hand: the desk makes a new one. */
export class ThreadGoneError extends Error {
  readonly code = "FL_ERR_THREAD_GONE";
  constructor(message: string) {
    super(message);
    this.name = "ThreadGoneError";
  }
}

/** Thrown by `openThread` when the thread was made but its card did not go out. */
export class ThreadHalfOpenError extends Error {
  readonly code = "FL_ERR_THREAD_HALF_OPEN";
  constructor(
    readonly threadId: string,
    override readonly cause: unknown,
  ) {
    super(`thread ${threadId} was made but its card was not posted`);
    this.name = "ThreadHalfOpenError";
  }
}
