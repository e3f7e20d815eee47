// The one bounded worker pool: at most `concurrency` calls of `fn` in flight, items taken in order. A failure that
// stops the pool starts no further item; the pool rejects with that first error once the calls already running have
// finished (so nothing is still writing when the error is reported). With a signal, no item starts once it has fired.
import { isFatal } from "../errors.js";

export interface PoolOptions<T> {
  /** No item starts once it has fired. */
  signal?: AbortSignal;
  /**
   * Hears the failure of an item, every one, as it happens (a run over many ids records it for that id). Without it,
   * any failure stops the pool; with it, only those `fatal` says are the same for every item.
   */
  failed?: (error: unknown, item: T, index: number) => void;
  /** Which failures stop the pool when `failed` is given: the run's one policy, isFatal (errors.ts), unless a command adds to it. */
  fatal?: (error: unknown) => boolean;
}

export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
  o: PoolOptions<T> = {},
): Promise<void> {
  const stops = o.failed ? (o.fatal ?? isFatal) : () => true;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      if (o.signal?.aborted) return;
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        o.failed?.(error, items[i]!, i);
        if (stops(error)) failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  if (failure) throw failure.error;
}
