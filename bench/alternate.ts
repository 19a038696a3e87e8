/**
 * Runs two measurements `rounds` times, alternating which goes first, so that drift (thermal,
 * other load) falls on both alike. Returns each side's results in round order.
 */
export async function alternate<A, B>(rounds: number, first: () => Promise<A>, second: () => Promise<B>): Promise<{ first: A[]; second: B[] }> {
  const a: A[] = [];
  const b: B[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await first());
      b.push(await second());
    } else {
      b.push(await second());
      a.push(await first());
    }
  }
  return { first: a, second: b };
}
