/**
 * `custom-integrations import <file|url> [--name NAME] [--out FILE] [--hostname HOST] [--auth SCHEME] [--validate] [--discover] [--json]`:
 * an OpenAPI 3.x or Swagger 2.0 spec (JSON or YAML, also .gz) as a definition file, written atomically. --discover
 * reads OpenID Connect discovery documents, the import's only network access besides a spec URL.
 *
 * Exit codes: 0 the definition was written (its messages may still ask for changes, e.g. a placeholder host);
 * 1 nothing could be imported (unreadable file, no importable operation); 2 usage error (from the CLI).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Definition } from '../../definition/model';
import { AuthChoiceError } from '../../openapi/auth';
import { importSpec, type ImportResult } from '../../openapi/import';
import { formatReport, ImportError } from '../../openapi/messages';
import { UsageError } from '../args';
import type { Command } from './types';
import { writeAtomically } from '../write-atomically';

export const importCommand: Command = async ({ config, args, options }) => {
  const source = specArgument(args, 'import <file|url> [--name NAME] [--out FILE] [--hostname HOST] [--auth SCHEME] [--validate] [--discover] [--json]');
  let result: ImportResult;
  try {
    result = await importSpec(source, {
      ...(options.name !== undefined && { name: options.name }),
      ...(options.hostname !== undefined && { hostname: options.hostname }),
      ...(options.auth !== undefined && { auth: options.auth }),
      validate: options.validate === true,
      discover: options.discover === true,
    });
  } catch (error) {
    if (error instanceof AuthChoiceError) throw new UsageError(error.message);
    if (!(error instanceof ImportError)) throw error;
    if (options.json) console.log(JSON.stringify({ source, error: error.message.split('\n')[0], messages: error.messages }, null, 2));
    else console.error(error.message);
    return 1;
  }
  const { definition, messages, stats } = result;
  const out = options.out ?? path.join(config.definitionsDir, `${definition.name}.json`);
  // An explicit --out may overwrite; the default must not silently replace a definition someone edited.
  if (options.out === undefined && existsSync(out)) {
    throw new UsageError(`${out} exists; pass --out ${out} to replace it, or --name to import under another name`);
  }
  writeAtomically(out, `${JSON.stringify({ $schema: '../definition.schema.json', ...definition }, null, 2)}\n`);
  if (options.json) {
    console.log(JSON.stringify({ source, file: out, stats, messages }, null, 2));
    return 0;
  }
  console.log(formatReport(source, messages));
  console.log(
    [
      `\nWrote ${out}: ${stats.actions} actions from ${stats.operations} operations${stats.skipped ? ` (${stats.skipped} skipped)` : ''}, ${stats.schemas} schemas`,
      `auth: ${describeAuth(definition.auth)}`,
      `pagination: ${stats.paginated} actions paginated${definition.pagination.type === 'none' ? '' : `, default ${JSON.stringify(definition.pagination)}`}`,
    ].join('\n'),
  );
  return 0;
};

/** The one spec argument of import and lint. */
export function specArgument(args: readonly string[], usage: string): string {
  const [source, ...extra] = args;
  if (!source || extra.length > 0) throw new UsageError(`expected one spec file or URL: custom-integrations ${usage}`);
  return source;
}

function describeAuth(auth: Definition['auth']): string {
  switch (auth.type) {
    case 'apiKey':
      return `API key in ${auth.in} ${auth.name}${auth.preamble ? ` (${auth.preamble} <key>)` : ''}`;
    case 'oauth2':
      return `OAuth 2.0, grant ${auth.grantType}${auth.tokenUrl ? `, token URL ${auth.tokenUrl}` : ''}`;
    default:
      return auth.type;
  }
}

