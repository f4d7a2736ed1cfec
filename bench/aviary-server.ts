/**
 * The Pedro Aviary API in a process of its own for `bench/call.ts` (see ./child-server). Takes the API key from
 * BENCH_API_KEY.
 */
import { startPedroAviary } from '../demo/pedro-aviary-server';
import { serveUntilStdinEnds } from './child-server';

async function main(): Promise<void> {
  const apiKey = process.env.BENCH_API_KEY;
  if (!apiKey) throw new Error('set BENCH_API_KEY');
  const aviary = await startPedroAviary({ apiKey, port: 0 });
  serveUntilStdinEnds(aviary.port, () => aviary.close());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
