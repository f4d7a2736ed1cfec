/**
 * The repeated-cursor guard: a next link or cursor seen before means the API loops, which must fail rather than run
 * forever. The state is carried through continue-as-new, so it must stay small whatever the number of pages: an exact
 * window of recent keys catches short loops at once, and Brent's cycle detection (one remembered key whose distance
 * doubles) catches any longer loop within two turns of it. Bundle-safe: the workflow runs it.
 */
export interface GuardState {
  readonly recent: readonly string[];
  readonly checkpoint: string | null;
  /** Keys since the checkpoint was taken, and how many to wait before taking the next one. */
  readonly steps: number;
  readonly power: number;
}

export const RECENT_KEYS = 256;

export const NEW_GUARD: GuardState = { recent: [], checkpoint: null, steps: 0, power: RECENT_KEYS };

/** The guard after seeing `key`, or null when the key was seen before. */
export function admitKey(guard: GuardState, key: string): GuardState | null {
  if (key === guard.checkpoint || guard.recent.includes(key)) return null;
  const recent = guard.recent.length < RECENT_KEYS ? [...guard.recent, key] : [...guard.recent.slice(1), key];
  const steps = guard.steps + 1;
  if (steps < guard.power) return { recent, checkpoint: guard.checkpoint, steps, power: guard.power };
  return { recent, checkpoint: key, steps: 0, power: guard.power * 2 };
}
