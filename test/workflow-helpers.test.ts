/**
 * Pure workflow-side helpers (no worker needed).
 */
import { callSummary } from '../workflows/integration';

describe('callSummary', () => {
  test('the activity type and its parameters, without the body', () => {
    expect(callSummary('pedroAviary.getBird', { birdId: 3, verbose: true, tags: ['a', 'b'], body: { secret: 'no' } })).toBe(
      'pedroAviary.getBird birdId=3 verbose=true tags=["a","b"]',
    );
  });

  test('no parameters: the activity type alone; long ones are cut', () => {
    expect(callSummary('x.list', undefined)).toBe('x.list');
    const long = callSummary('x.search', { q: 'w'.repeat(500) });
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });
});
