export const ms = (x: number | undefined | null) =>
  x === undefined || x === null || Number.isNaN(x)
    ? '–'
    : x < 10
      ? x.toFixed(2)
      : x < 100
        ? x.toFixed(1)
        : x.toFixed(0);

/** Costs per invocation are tiny; per 1M invocations they are readable. */
export const usd = (x: number | undefined | null) =>
  x === undefined || x === null
    ? '–'
    : x >= 1
      ? `$${x.toFixed(2)}`
      : x >= 0.01
        ? `$${x.toFixed(4)}`
        : `$${x.toPrecision(3)}`;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
