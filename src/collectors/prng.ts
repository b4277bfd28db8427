/** A tiny seeded PRNG so generated data is identical across runs, machines and Node versions. */

// Module-level copies: global lookups are slow inside vm contexts (jest), and these run several times per row.
const imul = Math.imul;
const floor = Math.floor;

/** Returns floats in [0, 1). */
export type Random = () => number;

/** mulberry32: fast, 32-bit state, good enough for test data (not for crypto). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly chosen element. */
export function pick<T>(rnd: Random, items: readonly T[]): T {
  return items[floor(rnd() * items.length)]!;
}

/** An integer in [min, max]. */
export function intBetween(rnd: Random, min: number, max: number): number {
  return min + floor(rnd() * (max - min + 1));
}
