import { describe, expect, it } from "vitest";
import { describeHours, describeMoment } from "../../src/desk/hours-text.ts";
import { renderTemplate } from "../../src/engine/template.ts";

const weekdays = {
  mon: "09:00-18:00",
  tue: "09:00-18:00",
  wed: "09:00-18:00",
  thu: "09:00-18:00",
  fri: "09:00-18:00",
};
const warsaw = { timezone: "Europe/Warsaw", hours: weekdays };
const winter = Date.parse("2026-01-14T12:00:00Z");
const summer = Date.parse("2026-07-15T12:00:00Z");

describe("the desk's hours in words", () => {
  it("says a working week in all four languages, by the zone's city", () => {
    expect(describeHours(warsaw, "en")).toBe("Monday to Friday, 09:00–18:00 (Warsaw time)");
    expect(describeHours(warsaw, "ru")).toBe(
      "с понедельника по пятницу, 09:00–18:00 (по времени Варшавы)",
    );
    expect(describeHours(warsaw, "pl")).toBe(
      "od poniedziałku do piątku, 09:00–18:00 (czas warszawski)",
    );
    expect(describeHours(warsaw, "el")).toBe(
      "από Δευτέρα έως Παρασκευή, 09:00–18:00 (ώρα Βαρσοβίας)",
    );
  });

  it("leaves closed days out and keeps a gap in the week apart", () => {
    const gap = {
      timezone: "Europe/Warsaw",
      hours: { mon: "09:00-18:00", tue: "09:00-18:00", thu: "09:00-18:00", sat: "10:00-14:00" },
    };
    expect(describeHours(gap, "en")).toBe(
      "Monday and Tuesday, 09:00–18:00; Thursday, 09:00–18:00; Saturday, 10:00–14:00 (Warsaw time)",
    );
    expect(describeHours(gap, "ru")).toBe(
      "в понедельник и вторник, 09:00–18:00; в четверг, 09:00–18:00; в субботу, 10:00–14:00 (по времени Варшавы)",
    );
    expect(describeHours(gap, "pl")).toBe(
      "w poniedziałek i wtorek, 09:00–18:00; w czwartek, 09:00–18:00; w sobotę, 10:00–14:00 (czas warszawski)",
    );
    // Greek separates with the ano teleia: ";" is its question mark.
    expect(describeHours(gap, "el")).toBe(
      "τη Δευτέρα και την Τρίτη, 09:00–18:00· την Πέμπτη, 09:00–18:00· το Σάββατο, 10:00–14:00 (ώρα Βαρσοβίας)",
    );
  });

  it("splits a week whose days keep different hours", () => {
    const split = {
      timezone: "Europe/Athens",
      hours: { ...weekdays, tue: "09:00-18:00", wed: "12:00-20:00", sun: "10:00-13:00" },
    };
    expect(describeHours(split, "en")).toBe(
      "Monday and Tuesday, 09:00–18:00; Wednesday, 12:00–20:00; Thursday and Friday, 09:00–18:00; Sunday, 10:00–13:00 (Athens time)",
    );
    const longRuns = {
      timezone: "Europe/Athens",
      hours: { ...weekdays, thu: "10:00-16:00", fri: "10:00-16:00", sat: "10:00-16:00" },
    };
    expect(describeHours(longRuns, "en")).toBe(
      "Monday to Wednesday, 09:00–18:00; Thursday to Saturday, 10:00–16:00 (Athens time)",
    );
    expect(describeHours(longRuns, "ru")).toBe(
      "с понедельника по среду, 09:00–18:00; с четверга по субботу, 10:00–16:00 (по времени Афин)",
    );
    expect(describeHours(longRuns, "pl")).toBe(
      "od poniedziałku do środy, 09:00–18:00; od czwartku do soboty, 10:00–16:00 (czas ateński)",
    );
    expect(describeHours(longRuns, "el")).toBe(
      "από Δευτέρα έως Τετάρτη, 09:00–18:00· από Πέμπτη έως Σάββατο, 10:00–16:00 (ώρα Αθήνας)",
    );
  });

  it("declines Russian and Polish weekdays after their prepositions", () => {
    const tueToThu = {
      timezone: "Europe/Warsaw",
      hours: { tue: "08:00-12:00", wed: "08:00-12:00", thu: "08:00-12:00" },
    };
    expect(describeHours(tueToThu, "ru")).toMatch(/^со вторника по четверг, /);
    expect(describeHours(tueToThu, "pl")).toMatch(/^od wtorku do czwartku, /);
    const tue = { timezone: "Europe/Warsaw", hours: { tue: "08:00-12:00" } };
    expect(describeHours(tue, "ru")).toMatch(/^во вторник, /);
    expect(describeHours(tue, "pl")).toMatch(/^we wtorek, /);
  });

  it("says 'every day' when all seven days keep the same hours", () => {
    const all = Object.fromEntries(
      ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, "08:00-20:00"]),
    );
    const desk = { timezone: "Europe/Warsaw", hours: all };
    expect(describeHours(desk, "en")).toBe("every day, 08:00–20:00 (Warsaw time)");
    expect(describeHours(desk, "ru")).toBe("ежедневно, 08:00–20:00 (по времени Варшавы)");
    expect(describeHours(desk, "pl")).toBe("codziennie, 08:00–20:00 (czas warszawski)");
    expect(describeHours(desk, "el")).toBe("κάθε μέρα, 08:00–20:00 (ώρα Βαρσοβίας)");
  });

  it("is the same in winter and summer, and never claims CET or summer time", () => {
    // Zurich is outside the city table: Intl's generic zone name, which holds all year.
    for (const desk of [warsaw, { timezone: "Europe/Zurich", hours: weekdays }]) {
      for (const locale of ["en", "ru", "pl", "el"]) {
        const january = describeHours(desk, locale, winter);
        expect(describeHours(desk, locale, summer)).toBe(january);
        expect(january).not.toMatch(/\bCES?T\b|GMT|UTC|[+-]\d|summer|летн|letni|θεριν/i);
      }
    }
    expect(describeHours({ timezone: "Europe/Zurich", hours: weekdays }, "en", summer)).toBe(
      "Monday to Friday, 09:00–18:00 (Zurich time)",
    );
    expect(describeHours({ timezone: "Europe/Zurich", hours: weekdays }, "pl", summer)).toBe(
      "od poniedziałku do piątku, 09:00–18:00 (czas środkowoeuropejski)",
    );
  });

  it("has an honest phrase, never an empty one, without a desk or without open days", () => {
    for (const locale of ["en", "ru", "pl", "el", "de"]) {
      const none = describeHours(undefined, locale);
      expect(none.length).toBeGreaterThan(0);
      expect(describeHours({ timezone: "Europe/Warsaw", hours: {} }, locale)).toBe(none);
    }
    expect(describeHours(undefined, "en")).toBe("during our working hours");
  });

  it("falls back to Intl's weekday names in another language", () => {
    expect(describeHours(warsaw, "de")).toMatch(/^Montag–Freitag, 09:00–18:00 \(/);
  });

  it("fills {{desk.hours}} in a template", () => {
    const desk = { hours: describeHours(warsaw, "en") };
    expect(renderTemplate("We answer {{desk.hours}}.", {}, {}, desk)).toBe(
      "We answer Monday to Friday, 09:00–18:00 (Warsaw time).",
    );
    expect(renderTemplate("{{ desk.constructor }}|{{desk.hours}}", {}, {})).toBe("|");
  });
});

describe("when the desk is back (the out-of-hours notice)", () => {
  it("names the zone as the hours do, in every language, never as CET or GMT+1", () => {
    const wednesday9 = Date.UTC(2026, 11, 2, 8, 0); // 09:00 in Warsaw (winter)
    const back = (l: string) => describeMoment(wednesday9, l, "Europe/Warsaw");
    expect(back("en")).toBe("Wednesday 09:00 (Warsaw time)");
    expect(back("ru")).toBe("среда 09:00 (по времени Варшавы)");
    expect(back("pl")).toBe("środa, 09:00 (czas warszawski)");
    expect(back("el")).toBe("Τετάρτη 09:00 (ώρα Βαρσοβίας)");
    for (const l of ["en", "ru", "pl", "el"]) {
      expect(back(l)).not.toMatch(/\bCES?T\b|GMT|UTC/);
      // The same words as {{desk.hours}}.
      expect(
        describeHours(warsaw, l, wednesday9).endsWith(back(l).slice(back(l).indexOf("("))),
      ).toBe(true);
    }
  });
});
