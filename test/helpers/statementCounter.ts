/**
 * Counts the statements a driver sends from this process while `work` runs, on every connection
 * (a connector may open helper sessions): the method is wrapped on the driver's prototype and put
 * back afterwards. `sent()` reads the count so far.
 */
export async function countingCalls<T>(prototype: object, method: string, work: (sent: () => number) => Promise<T>): Promise<T> {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  const original = target[method]!;
  let sent = 0;
  target[method] = function (this: unknown, ...args: unknown[]) {
    sent++;
    return original.apply(this, args);
  };
  try {
    return await work(() => sent);
  } finally {
    target[method] = original;
  }
}
