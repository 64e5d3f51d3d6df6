/**
 * A Map that keeps only the `limit` most recently used entries. Scan-wide
 * caches use it so a cache hit saves work without the cache holding every
 * value of a 100,000-file scan until the end.
 */
export class RecentCache<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
    if (!(limit >= 1)) throw new RangeError('RecentCache needs room for at least one entry');
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    // Re-inserting moves the key to the end of the Map's order: the end is the most recent.
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.limit) super.delete(this.keys().next().value as K);
    return this;
  }
}
