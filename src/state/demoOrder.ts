/** The order the landscape demo's checkpoints are dropped in (pure; kept apart from the stores). */

/**
 * Orders demo checkpoints so that the studio's role guess assigns them as the paper does: the origin
 * and the random initialisation first, then the runs (task A before task B), then the trajectory in
 * step order.
 */
export function demoLoadOrder(names: string[]): string[] {
  const rank = (n: string) =>
    /pretrain/.test(n)
      ? 0
      : /random|init/.test(n)
        ? 1
        : /scratch/.test(n)
          ? 2
          : /step/.test(n)
            ? 5
            : /sst/.test(n)
              ? 3
              : 4;
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
