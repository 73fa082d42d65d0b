/**
 * Runs `fn` over a set of items with at most `concurrency` at a time, each only after the items
 * it depends on (within the set) have finished. The first failure stops new starts and is
 * rethrown once the running ones settle. Items must form a DAG over the set.
 */
export async function runInDependencyOrder<T extends string>(
  items: readonly T[],
  depsOf: (item: T) => readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const inSet = new Set(items);
  const pending = new Map(items.map((i) => [i, new Set(depsOf(i).filter((d) => d !== i && inSet.has(d)))]));
  const dependents = new Map<T, T[]>();
  for (const [i, deps] of pending) for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), i]);
  const ready = items.filter((i) => pending.get(i)!.size === 0);
  let running = 0;
  let failure: { error: unknown } | undefined;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (!failure && running < concurrency && ready.length > 0) {
        const item = ready.shift()!;
        running++;
        fn(item).then(
          () => {
            running--;
            for (const r of dependents.get(item) ?? []) {
              const deps = pending.get(r)!;
              deps.delete(item);
              if (deps.size === 0) ready.push(r);
            }
            pump();
          },
          (error: unknown) => {
            running--;
            failure ??= { error };
            pump();
          },
        );
      }
      if (running === 0) resolve();
    };
    pump();
  });
  if (failure) throw failure.error;
}
