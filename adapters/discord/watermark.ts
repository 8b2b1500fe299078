// The gateway has no acknowledgement: what stands in for one is the sequence number we store,
// which may only move past events that are recorded. Events are handled concurrently (one
// conversation does not wait for another), so they finish out of order; the watermark is the
// highest sequence below which every event received has finished.

export class Watermark {
  private base: number;
  /** Sequences received and not yet finished, in arrival (= sequence) order. */
  private readonly open: number[] = [];
  private readonly finished = new Set<number>();

  constructor(base: number) {
    this.base = base;
  }

  /** Every event at or below this is recorded (or needed no recording). */
  get value(): number {
    return this.base;
  }

  /** In-flight events (received, not finished). */
  get pending(): number {
    return this.open.length;
  }

  /** A new session starts counting again (READY). */
  reset(base: number): void {
    this.base = base;
    this.open.length = 0;
    this.finished.clear();
  }

  begin(sequence: number): void {
    // A replay (after RESUME) can repeat what this process already has in flight or finished.
    if (sequence <= this.base || this.open.includes(sequence)) return;
    this.open.push(sequence);
  }

  /** Marks one event finished; returns true when the watermark moved. */
  finish(sequence: number): boolean {
    if (sequence <= this.base) return false;
    this.finished.add(sequence);
    let moved = false;
    while (this.open.length > 0 && this.finished.has(this.open[0]!)) {
      const head = this.open.shift()!;
      this.finished.delete(head);
      this.base = head;
      moved = true;
    }
    return moved;
  }
}
