// The desk's working hours as words in the customer's language, for `{{desk.hours}}` in flow
// texts: "Monday to Friday, 09:00–18:00 (Warsaw time)". Hours are wall-clock times in the
// desk's zone, so the text names the zone by a city (or a generic, season-free zone name):
// never an abbreviation such as "CET", which is wrong half the year.
import { weekdays } from "./config.ts";

type Weekday = (typeof weekdays)[number];

export interface DeskHours {
  timezone: string;
  hours: Partial<Record<Weekday, string>>;
}

/** An adverbial phrase like the real one, for a flow set without a desk (or without hours). */
const NO_HOURS: Record<string, string> = {
  en: "during our working hours",
  ru: "в рабочие часы поддержки",
  pl: "w godzinach pracy zespołu",
  el: "κατά τις ώρες λειτουργίας μας",
};

interface Grammar {
  /** One day: "Saturday", "в субботу". */
  one(d: number): string;
  /** Two days in a row: "Saturday and Sunday". */
  two(a: number, b: number): string;
  /** Three or more in a row: "Monday to Friday", "с понедельника по пятницу". */
  range(a: number, b: number): string;
  everyDay: string;
  /** Between groups: "; ", in Greek "· " (";" is its question mark). */
  separator: string;
}

// Russian and Polish decline weekdays after prepositions; Intl gives only the nominative.
const RU_GEN = [
  "понедельника",
  "вторника",
  "среды",
  "четверга",
  "пятницы",
  "субботы",
  "воскресенья",
];
const RU_ACC = ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"];
const PL_GEN = ["poniedziałku", "wtorku", "środy", "czwartku", "piątku", "soboty", "niedzieli"];
const PL_ACC = ["poniedziałek", "wtorek", "środę", "czwartek", "piątek", "sobotę", "niedzielę"];

// Greek takes Intl's names (their accusative is the nominative) with the article: "το Σάββατο".
const EL_ART = ["τη", "την", "την", "την", "την", "το", "την"];

const ruIn = (d: number) => `${d === 1 ? "во" : "в"} ${RU_ACC[d]}`;
const plIn = (d: number) => `${d === 1 ? "we" : "w"} ${PL_ACC[d]}`;

const GRAMMAR: Record<string, (names: string[]) => Grammar> = {
  en: (n) => ({
    one: (d) => n[d]!,
    two: (a, b) => `${n[a]} and ${n[b]}`,
    range: (a, b) => `${n[a]} to ${n[b]}`,
    everyDay: "every day",
    separator: "; ",
  }),
  ru: () => ({
    one: ruIn,
    two: (a, b) => `${ruIn(a)} и ${RU_ACC[b]}`,
    range: (a, b) => `${a === 1 || a === 2 ? "со" : "с"} ${RU_GEN[a]} по ${RU_ACC[b]}`,
    everyDay: "ежедневно",
    separator: "; ",
  }),
  pl: () => ({
    one: plIn,
    two: (a, b) => `${plIn(a)} i ${PL_ACC[b]}`,
    range: (a, b) => `od ${PL_GEN[a]} do ${PL_GEN[b]}`,
    everyDay: "codziennie",
    separator: "; ",
  }),
  el: (n) => ({
    one: (d) => `${EL_ART[d]} ${n[d]}`,
    two: (a, b) => `${EL_ART[a]} ${n[a]} και ${EL_ART[b]} ${n[b]}`,
    range: (a, b) => `από ${n[a]} έως ${n[b]}`,
    everyDay: "κάθε μέρα",
    separator: "· ",
  }),
};

/** Any other language: Intl's names, a dash for ranges, its own "and". */
function genericGrammar(locale: string, n: string[]): Grammar {
  const and = new Intl.ListFormat(locale, { type: "conjunction" });
  return {
    one: (d) => n[d]!,
    two: (a, b) => and.format([n[a]!, n[b]!]),
    range: (a, b) => `${n[a]}–${n[b]}`,
    everyDay: `${n[0]}–${n[6]}`,
    separator: "; ",
  };
}

/** Weekday names from Intl, Monday first (2024-01-01 was a Monday). */
function weekdayNames(locale: string): string[] {
  const f = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
  return weekdays.map((_, i) => f.format(Date.UTC(2024, 0, 1 + i)));
}

// Exemplar cities in the form each phrasing needs: Russian "по времени" + genitive, Polish
// adjective ("czas warszawski"), Greek "ώρα" + genitive. English takes the IANA name's city.
const CITIES: Record<string, { en?: string; ru: string; pl: string; el: string }> = {
  "Europe/Warsaw": { ru: "Варшавы", pl: "warszawski", el: "Βαρσοβίας" },
  "Europe/Athens": { ru: "Афин", pl: "ateński", el: "Αθήνας" },
  "Europe/Moscow": { ru: "Москвы", pl: "moskiewski", el: "Μόσχας" },
  "Europe/Kyiv": { en: "Kyiv", ru: "Киева", pl: "kijowski", el: "Κιέβου" },
  "Europe/Kiev": { en: "Kyiv", ru: "Киева", pl: "kijowski", el: "Κιέβου" },
  "Europe/London": { ru: "Лондона", pl: "londyński", el: "Λονδίνου" },
  "Europe/Dublin": { ru: "Дублина", pl: "dubliński", el: "Δουβλίνου" },
  "Europe/Lisbon": { ru: "Лиссабона", pl: "lizboński", el: "Λισαβόνας" },
  "Europe/Berlin": { ru: "Берлина", pl: "berliński", el: "Βερολίνου" },
  "Europe/Paris": { ru: "Парижа", pl: "paryski", el: "Παρισιού" },
  "Europe/Madrid": { ru: "Мадрида", pl: "madrycki", el: "Μαδρίτης" },
  "Europe/Rome": { ru: "Рима", pl: "rzymski", el: "Ρώμης" },
  "Europe/Vienna": { ru: "Вены", pl: "wiedeński", el: "Βιέννης" },
  "Europe/Prague": { ru: "Праги", pl: "praski", el: "Πράγας" },
  "Europe/Amsterdam": { ru: "Амстердама", pl: "amsterdamski", el: "Άμστερνταμ" },
  "Europe/Brussels": { ru: "Брюсселя", pl: "brukselski", el: "Βρυξελλών" },
  "Europe/Stockholm": { ru: "Стокгольма", pl: "sztokholmski", el: "Στοκχόλμης" },
  "Europe/Helsinki": { ru: "Хельсинки", pl: "helsiński", el: "Ελσίνκι" },
  "Europe/Bucharest": { ru: "Бухареста", pl: "bukareszteński", el: "Βουκουρεστίου" },
  "Europe/Budapest": { ru: "Будапешта", pl: "budapeszteński", el: "Βουδαπέστης" },
  "Europe/Istanbul": { ru: "Стамбула", pl: "stambulski", el: "Κωνσταντινούπολης" },
  "America/New_York": { ru: "Нью-Йорка", pl: "nowojorski", el: "Νέας Υόρκης" },
};

const UTC_ZONES = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"]);

/**
 * "(Warsaw time)" in the customer's language. Zones outside the table fall back to Intl's
 * generic zone name ("czas środkowoeuropejski"), which, unlike "CET"/"CEST", holds all year.
 */
function zonePhrase(configured: string, locale: string, at: number): string {
  const timeZone = new Intl.DateTimeFormat("en", { timeZone: configured }).resolvedOptions()
    .timeZone;
  if (UTC_ZONES.has(timeZone)) return "(UTC)";
  const city = CITIES[timeZone];
  if (locale === "en" && timeZone.includes("/") && !timeZone.startsWith("Etc/"))
    return `(${city?.en ?? timeZone.split("/").at(-1)!.replace(/_/g, " ")} time)`;
  if (city && (locale === "ru" || locale === "pl" || locale === "el")) {
    if (locale === "ru") return `(по времени ${city.ru})`;
    if (locale === "pl") return `(czas ${city.pl})`;
    return `(ώρα ${city.el})`;
  }
  const generic =
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "longGeneric" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  if (locale === "ru") return `(часовой пояс: ${generic})`;
  if (locale === "pl") return /^czas\b/i.test(generic) ? `(${generic})` : `(czas: ${generic})`;
  if (locale === "el")
    return /ώρα/i.test(generic) ? `(${generic.replace(/^Ώρα/, "ώρα")})` : `(ώρα: ${generic})`;
  return `(${generic})`;
}

/**
 * The desk's hours in `locale`: consecutive days with the same span form one group, days left
 * out are closed. Without a desk (or with no open day) an honest general phrase instead.
 * `at` only feeds Intl's zone-name lookup; the words do not change with the season.
 */
export function describeHours(
  desk: DeskHours | undefined,
  locale: string,
  at: number = Date.now(),
): string {
  const open = desk ? weekdays.map((d) => desk.hours[d]) : [];
  if (!desk || open.every((s) => s === undefined)) return NO_HOURS[locale] ?? NO_HOURS.en!;
  const names = weekdayNames(locale);
  const g = (GRAMMAR[locale] ?? ((n: string[]) => genericGrammar(locale, n)))(names);
  const span = (s: string) => `${s.slice(0, 5)}–${s.slice(6, 11)}`;

  const groups: { from: number; to: number; span: string }[] = [];
  open.forEach((s, d) => {
    if (s === undefined) return;
    const last = groups.at(-1);
    if (last && last.to === d - 1 && last.span === s) last.to = d;
    else groups.push({ from: d, to: d, span: s });
  });
  const days = (from: number, to: number) => {
    if (from === 0 && to === 6) return g.everyDay;
    if (from === to) return g.one(from);
    if (to === from + 1) return g.two(from, to);
    return g.range(from, to);
  };
  const text = groups.map((x) => `${days(x.from, x.to)}, ${span(x.span)}`).join(g.separator);
  return `${text} ${zonePhrase(desk.timezone, locale, at)}`;
}

/**
 * "Wednesday, 09:00 (Warsaw time)" in the customer's language: the zone named as the hours are
 * ({{desk.hours}}), so one conversation never says "Warsaw time" and then "CET" or "GMT+1".
 */
export function describeMoment(at: number, locale: string, timeZone: string): string {
  const moment = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "long",
    hour: "2-digit",
    minute: "2-digit",
    // On the 24-hour clock, as {{desk.hours}} says them ("09:00–18:00"), not "09:00 AM".
    hourCycle: "h23",
  }).format(at);
  return `${moment} ${zonePhrase(timeZone, locale, at)}`;
}
