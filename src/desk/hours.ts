// Business hours in the desk's time zone: is the desk open now, and when does it open next.
import type { weekdays } from "./config.ts";

type Hours = Partial<Record<(typeof weekdays)[number], string>>;

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: (typeof weekdays)[number];
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      weekday: "short",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as LocalTime["weekday"],
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function span(hours: Hours, day: LocalTime["weekday"]): [number, number] | undefined {
  const s = hours[day];
  if (!s) return undefined;
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return [m(s.slice(0, 5)), m(s.slice(6, 11))];
}

export function isOpen(at: number, hours: Hours, timeZone: string): boolean {
  const t = localTime(at, timeZone);
  const s = span(hours, t.weekday);
  return s !== undefined && t.minutes >= s[0] && t.minutes < s[1];
}

/** The next moment the desk opens (now, if open); undefined if it never opens. */
export function nextOpening(at: number, hours: Hours, timeZone: string): number | undefined {
  if (isOpen(at, hours, timeZone)) return at;
  for (let offset = 0; offset <= 7; offset++) {
    const probe = localTime(at + offset * 86_400_000, timeZone);
    const s = span(hours, probe.weekday);
    if (!s) continue;
    const opening = utcOf(probe.year, probe.month, probe.day, s[0], timeZone);
    if (opening > at) return opening;
  }
  return undefined;
}

/** The UTC instant of a wall-clock time in a zone (two passes settle DST edges). */
function utcOf(
  year: number,
  month: number,
  day: number,
  minutes: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const t = localTime(guess, timeZone);
    const seen = Date.UTC(t.year, t.month - 1, t.day, Math.floor(t.minutes / 60), t.minutes % 60);
    guess += wall - seen;
  }
  return guess;
}
