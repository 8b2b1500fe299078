// Discord's per-channel rename sublimit: about 2 renames per 10 minutes; a third gets a 429 whose
// retry_after runs to the end of the window (discord.js then holds that rename for minutes).

const RENAME_WINDOW_MS = 10 * 60_000;
const RENAMES_PER_WINDOW = 2;

export class RenameLimit {
  private readonly stamps = new Map<string, number[]>();

  /** Seconds to wait, or 0 when a rename may happen now. */
  wait(channelId: string, now = Date.now()): number {
    const list = (this.stamps.get(channelId) ?? []).filter((t) => t > now - RENAME_WINDOW_MS);
    this.stamps.set(channelId, list);
    if (list.length < RENAMES_PER_WINDOW) return 0;
    return Math.ceil(((list[0] as number) + RENAME_WINDOW_MS - now) / 100) / 10;
  }

  take(channelId: string, now = Date.now()): void {
    this.stamps.set(channelId, [...(this.stamps.get(channelId) ?? []), now]);
  }
}
