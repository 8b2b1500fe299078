// What every benchmark needs around its measurements: settings from the environment, output,
// and a clean exit whatever happens (Ctrl-C, a watchdog, an error) with everything cleaned up.

export function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

export function log(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** A number with thousands separators and fixed decimals; "n/a" when not finite. */
export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";
}

export interface BenchGuard {
  /** Undo steps, run last-in first-out before exit. */
  cleanups: (() => Promise<void>)[];
  /** Ctrl-C or SIGTERM arrived. */
  readonly interrupted: boolean;
  /** Cleans up once (bounded in time) and exits; later calls wait for the first. */
  exitAfterCleanup(code: number): Promise<never>;
}

/** Installs signal handlers and a watchdog for the benchmark called `name`. */
export function guardBench(
  name: string,
  opts: { watchdogMs: number; cleanupMs?: number },
): BenchGuard {
  const cleanupMs = opts.cleanupMs ?? 20_000;
  const cleanups: (() => Promise<void>)[] = [];
  let interrupted = false;
  let exiting: Promise<never> | undefined;
  const exitAfterCleanup = (code: number): Promise<never> => {
    exiting ??= (async () => {
      const timer = setTimeout(() => {
        process.stderr.write(`${name}: cleanup took over ${cleanupMs} ms; exiting anyway\n`);
        process.exit(code);
      }, cleanupMs);
      timer.unref();
      while (cleanups.length > 0) {
        const undo = cleanups.pop() as () => Promise<void>;
        try {
          await undo();
        } catch (err) {
          process.stderr.write(`cleanup failed: ${(err as Error)?.message ?? err}\n`);
        }
      }
      process.exit(code);
    })();
    return exiting;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: cleaning up…\n`);
      void exitAfterCleanup(130);
    });
  }
  setTimeout(() => {
    process.stderr.write(`${name}: watchdog fired after ${opts.watchdogMs} ms; exiting\n`);
    void exitAfterCleanup(2);
  }, opts.watchdogMs).unref();
  return {
    cleanups,
    get interrupted() {
      return interrupted;
    },
    exitAfterCleanup,
  };
}

/** `fn` runs on the first call only; later calls get the same promise (a stop that is safe to call twice). */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
