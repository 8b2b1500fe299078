// Bot API error envelopes: ApiError carries error_code/description/parameters to the HTTP layer.
import type { FailSpec } from "./types.ts";

export interface ErrorEnvelope {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export class ApiError extends Error {
  readonly error_code: number;
  readonly parameters: ErrorEnvelope["parameters"];
  constructor(error_code: number, description: string, parameters?: ErrorEnvelope["parameters"]) {
    super(description);
    this.name = "ApiError";
    this.error_code = error_code;
    this.parameters = parameters;
  }
  get description(): string {
    return this.message;
  }
  toEnvelope(): ErrorEnvelope {
    const env: ErrorEnvelope = {
      ok: false,
      error_code: this.error_code,
      description: this.message,
    };
    if (this.parameters) env.parameters = this.parameters;
    return env;
  }
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);
export const forbidden = (what: string): ApiError => new ApiError(403, `Forbidden: ${what}`);

export function tooManyRequests(retryAfter: number): ApiError {
  const n = Math.max(1, Math.ceil(retryAfter));
  return new ApiError(429, `Too Many Requests: retry after ${n}`, { retry_after: n });
}

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

/** Turns an injected failure into the error Telegram would send. */
export function errorFromSpec(spec: FailSpec): ApiError {
  if (spec.error_code === 429) {
    const err = tooManyRequests(spec.retry_after ?? 1);
    return spec.description ? new ApiError(429, spec.description, err.parameters) : err;
  }
  const params: ErrorEnvelope["parameters"] = {};
  if (spec.retry_after !== undefined) params.retry_after = spec.retry_after;
  if (spec.migrate_to_chat_id !== undefined) params.migrate_to_chat_id = spec.migrate_to_chat_id;
  const description = spec.description ?? DEFAULT_DESCRIPTIONS[spec.error_code] ?? "Error";
  return new ApiError(
    spec.error_code,
    description,
    Object.keys(params).length ? params : undefined,
  );
}
