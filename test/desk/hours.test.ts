import { describe, expect, it } from "vitest";
import { isOpen, nextOpening } from "../../src/desk/hours.ts";

const weekdays = {
  mon: "09:00-18:00",
  tue: "09:00-18:00",
  wed: "09:00-18:00",
  thu: "09:00-18:00",
  fri: "09:00-18:00",
};
const at = (iso: string) => Date.parse(iso);

describe("business hours in the desk's time zone", () => {
  it("knows when the desk is open, in its own zone", () => {
    // 2026-11-23 is a Monday; Warsaw is UTC+1 in November.
    expect(isOpen(at("2026-11-23T08:30:00Z"), weekdays, "Europe/Warsaw")).toBe(true); // 09:30 local
    expect(isOpen(at("2026-11-23T07:30:00Z"), weekdays, "Europe/Warsaw")).toBe(false); // 08:30 local
    expect(isOpen(at("2026-11-23T17:00:00Z"), weekdays, "Europe/Warsaw")).toBe(false); // 18:00 local: closed
    expect(isOpen(at("2026-11-28T10:00:00Z"), weekdays, "Europe/Warsaw")).toBe(false); // Saturday
  });

  it("finds the next opening across a weekend", () => {
    const friday = at("2026-11-27T18:00:00Z"); // Friday 19:00 in Warsaw
    expect(new Date(nextOpening(friday, weekdays, "Europe/Warsaw")!).toISOString()).toBe(
      "2026-11-30T08:00:00.000Z",
    );
  });

  it("keeps wall-clock hours across a daylight-saving change", () => {
    // Sunday 2026-03-29 Europe switches to summer time; Monday opens at 09:00 CEST = 07:00Z.
    const sunday = at("2026-03-29T12:00:00Z");
    expect(new Date(nextOpening(sunday, weekdays, "Europe/Warsaw")!).toISOString()).toBe(
      "2026-03-30T07:00:00.000Z",
    );
  });

  it("returns now when open, and nothing when the desk never opens", () => {
    const open = at("2026-11-23T10:00:00Z");
    expect(nextOpening(open, weekdays, "Europe/Warsaw")).toBe(open);
    expect(nextOpening(open, {}, "Europe/Warsaw")).toBeUndefined();
  });
});
