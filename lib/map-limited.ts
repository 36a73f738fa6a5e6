/**
 * `work` over `items` with at most `limit` running at a time; the answers in the items' order.
 * The delivery passes use it so that receivers that answer slowly, each pass holding one of the
 * pool's connections while it waits, never take the connections the console's pages need.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
