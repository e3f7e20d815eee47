// The one bounded worker pool: at most `concurrency` calls of `fn` in flight, items taken in order. After a call
// fails no further item starts; the pool rejects with that first error once the calls already running have finished
// (so nothing is still writing when the error is reported). With a signal, no item starts once it has fired.
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      if (signal?.aborted) return;
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  if (failure) throw failure.error;
}
