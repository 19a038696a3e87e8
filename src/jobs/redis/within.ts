/** Whether `promise` settled within `ms` (its outcome is ignored): closing must not hang on a Redis that is down. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Quits politely if Redis answers soon, else drops the connection (no reconnect). */
export async function closeRedis(redis: { quit(): Promise<unknown>; disconnect(): void; status: string }, ms = 1_000): Promise<void> {
  if (redis.status !== 'ready' || !(await settlesWithin(redis.quit(), ms))) redis.disconnect();
}
