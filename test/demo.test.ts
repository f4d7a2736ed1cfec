/**
 * `npm run demo`, as a newcomer runs it: its own dev server, the example API, a worker and the workflows.
 * `--free-ports` keeps it off 7233/8233/4010, which a developer's own demo may hold.
 */
import path from 'node:path';
import { ROOT, run } from './helpers/processes';

test('the demo runs the report workflow, shows a readable 404 and stops by itself with --once', async () => {
  const { code, stdout, stderr } = await run(path.join(ROOT, 'dist', 'demo', 'demo.js'), ['--once', '--free-ports']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain('"birdsInAviary": 42');
  expect(stdout).toContain('"sightingId": 1');
  expect(stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/aviary-report-\w+\/[\w-]+\/history/);
  expect(stdout).toMatch(/failed without retrying: GET \S+\/v1\/birds\/999 answered 404/);
  expect(stdout).toContain('Stopping ...');
}, 120_000);
