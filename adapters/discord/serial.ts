// Work with the same key runs one after another, in the order it was handed in; different keys
// run side by side. One conversation's events are recorded in order without making every
// other conversation wait behind it.

export class Serial {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get size(): number {
    return this.tails.size;
  }

  /** Resolves when everything handed in so far has finished. */
  async drained(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}

/** Retries `work` until it succeeds, `stopped()`, or the error is one retrying cannot mend
 * (`permanent`; then throws it), backing off from 200 ms to 5 s: a record that cannot be made
 * now (Redis away, a 5xx) is made when it can. */
export async function untilDone<T>(
  work: () => Promise<T>,
  stopped: () => boolean,
  onError: (err: unknown, attempt: number) => void,
  permanent: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (stopped() || permanent(err)) throw err;
      onError(err, attempt);
      await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** (attempt - 1))));
    }
  }
}
