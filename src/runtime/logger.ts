// The one logger factory: JSON logs with secrets and customer text redacted by default.
import { type DestinationStream, type Logger, pino } from "pino";

/** Paths are fixed here, never built from input (fast-redact compiles them once). */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "text",
  "*.text",
  "message.text",
  "event.text",
  "*.messages",
  "vars",
  "*.vars",
  "user.name",
  "*.user.name",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-telegram-bot-api-secret-token"]',
];

export function createLogger(
  options: { level?: string; pretty?: boolean; redactText?: boolean } = {},
  destination?: DestinationStream,
): Logger {
  const paths =
    options.redactText === false
      ? REDACT_PATHS.filter((p) => !/text|messages|vars|name/.test(p))
      : REDACT_PATHS;
  const settings = {
    level: options.level ?? "info",
    redact: { paths, censor: "[redacted]" },
    ...(options.pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true } } }
      : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}
