/**
 * `custom-integrations lint <file|url> [--hostname HOST] [--json]`: what `import` would report about a spec, plus
 * a full validation against the OpenAPI schema; nothing is written.
 *
 * Exit codes: 0 only infos (or nothing), 1 warnings, 2 errors (including a spec that cannot be imported at all).
 */
import { importSpec } from '../../openapi/import';
import { countBySeverity, formatReport, ImportError, type ImportMessage } from '../../openapi/messages';
import { specArgument } from './import';
import type { Command } from './types';

export const lintCommand: Command = async ({ args, options }) => {
  const source = specArgument(args, 'lint <file|url> [--hostname HOST] [--json]');
  let messages: readonly ImportMessage[];
  let failure: string | undefined;
  try {
    ({ messages } = await importSpec(source, { ...(options.hostname !== undefined && { hostname: options.hostname }), validate: true }));
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    messages = error.messages;
    failure = error.message.split('\n')[0];
  }
  const counts = countBySeverity(messages);
  const code = failure !== undefined || counts.error > 0 ? 2 : counts.warning > 0 ? 1 : 0;
  if (options.json) console.log(JSON.stringify({ source, ...(failure && { error: failure }), messages }, null, 2));
  else console.log([...(failure ? [failure] : []), formatReport(source, messages)].join('\n'));
  return code;
};
