/** A whole-number option of a benchmark, e.g. `--pages 300`; `--latency 0,50` takes a list. */
export function whole(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: "${text}" is not a whole number >= ${min}`);
  return n;
}

export function wholeList(flag: string, text: string, min: number): number[] {
  return text.split(',').map((part) => whole(flag, part, min));
}
