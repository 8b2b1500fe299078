// One registry of named errors with stable codes (in the manner of fastify's FST_ERR_*).
// Errors cross process and queue boundaries, so callers match on `code`, not on `instanceof`.

export const ErrorCodes = {
  FL_ERR_FLOW_INVALID: "Flows failed validation",
  FL_ERR_FLOW_LOOP: "A flow ran too many steps without waiting for the customer",
  FL_ERR_CONFIG: "Configuration is invalid",
  FL_ERR_REDIS_UNAVAILABLE: "Redis is not reachable",
  FL_ERR_STATE_CONFLICT: "Conversation state changed under us too many times",
  FL_ERR_INPUT: "The input cannot be processed",
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
