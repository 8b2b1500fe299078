// Snowflake ids: Discord's layout (ms since 2015 << 22 | counter), strictly increasing, so
// ids sort by creation time (compare as BigInt) and discord.js derives sensible createdAt dates.

const DISCORD_EPOCH = 1_420_070_400_000n;

export class Snowflakes {
  private last = 0n;

  next(): string {
    const fromClock = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last.toString();
  }
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A random interaction token (opaque; Discord's are long base64-ish strings). */
export function randomToken(): string {
  let s = "aW50ZXJhY3Rpb246";
  while (s.length < 64) s += Math.random().toString(36).slice(2);
  return s.slice(0, 64);
}
