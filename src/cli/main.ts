#!/usr/bin/env node
/**
 * `custom-integrations`: run a worker, call an action, start the embedded dev server.
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { loadTemporalConfig } from '../config/temporal-config';
import { UsageError } from './args';
import { actionsCommand } from './commands/actions';
import { authorizeCommand } from './commands/authorize';
import { callCommand } from './commands/call';
import { checkCommand } from './commands/check';
import { codecServerCommand } from './commands/codec-server';
import { importCommand } from './commands/import';
import { lintCommand } from './commands/lint';
import { paginateCommand } from './commands/paginate';
import { devCommand, serverCommand } from './commands/dev';
import { schemaCommand } from './commands/schema';
import {
  configureCommand,
  installCommand,
  integrationsCommand,
  listCommand,
  orgsCommand,
  statusCommand,
  testCommand,
  uninstallCommand,
} from './commands/registry';
import { typesCommand } from './commands/types-command';
import { workerCommand } from './commands/worker';

const USAGE = `Usage: custom-integrations <command> [options]

Commands:
  worker                         Run a worker with every action of the definitions folder as an activity
  call <integration>.<action>    Run one action inside a workflow and print its result and Web UI link
      --param name=value           an action parameter (repeat; "body" sets the request body, as JSON)
      --input '{"json": 1}'        the whole input as JSON (params are merged over it)
      --configuration NAME         configuration to use (default: Default)
      --override integration=NAME  integration override for the run (repeat)
      --organization ORG           organization the run acts for
  paginate <integration>.<action> [--page-limit N] [--handler NAME] [--no-read-ahead]
                                 Run a paginated action as a durable workflow, with a progress bar; prints the
                                 items (or, with --handler, hands each page to that registered page handler)
  authorize <integration> [--configuration NAME] [--organization ORG] [--wait SECONDS]
                                 OAuth 2.0: get tokens into the configuration's token workflow (authorization
                                 code: serves the loopback redirect URI and prints the URL to open); also the fix
                                 for "reauthorization required"; --wait: how long to wait for the callback
                                 (default 600 s)
  dev                            Start the embedded Temporal dev server (Web UI) and a worker
  server                         Start only the embedded Temporal dev server
  codec-server [--port N] [--ip ADDR] [--ui-origin URL]
                                 Serve POST /encode and /decode so the Web UI (--ui-codec-endpoint) and
                                 \`temporal --codec-endpoint\` show decrypted payloads (default port 8888, origin of
                                 the configured Web UI); CUSTOM_INTEGRATIONS_CODEC_SERVER_TOKEN requires a bearer token
  import <file|url> [--name NAME] [--out FILE] [--hostname HOST] [--auth SCHEME] [--validate] [--discover] [--json]
                                 Import an OpenAPI 3.x or Swagger 2.0 spec (JSON, YAML, .gz) as a definition;
                                 defects are worked around and reported with line:column and what to do;
                                 --discover reads OpenID Connect discovery documents (network) for the OAuth flow
  lint <file|url> [--hostname HOST] [--json]
                                 Report what import would, plus full schema validation; exit 0 (info only),
                                 1 (warnings) or 2 (errors)
  check                          Validate the definitions and configurations, list the actions
  schema [--out FILE]            Print the JSON Schema of definition files
  types [--out FILE] [--module NAME]
                                 Write TypeScript types of every action's input and output (default integrations.d.ts)
  actions list FILE              List the actions of a definition file
  actions rename FILE [ACTION...] --pattern RE --replacement TEXT [--flags F]
          [--target name|title|description|both] [--camel-case] [--apply]
                                 Preview regex renames of actions; --apply writes them
  actions deprecate FILE ACTION... [--undo]
  actions remove FILE ACTION...  Removed imported operations stay out of re-imports

Organizations, installations and configurations (kept in the organization registry workflow):
  orgs [add ID [--name N] [--parent ID] | remove ID | map INTEGRATION ... | mappings INTEGRATION | unmap ...]
                                 Organizations (a tree) and the vendor companies mapped to them (orgs --help)
  integrations register <name|file> --organization OWNER | finalize <name> --status published|hidden
               | deprecate <name> | delete <name>
                                 The integration lifecycle: draft -> published or hidden, never back
  install ORG INTEGRATION [--set field=value ...]
                                 Install a published integration for an organization (configuration Default)
  configure ORG INTEGRATION [--configuration NAME] [--set field=value ...] [--unset field] [--remove]
                                 Add or change a named configuration (apiKey=env:VAR, hostname=..., headers.X=...)
  test ORG INTEGRATION --path /status [--configuration NAME]
                                 GET the path with the configuration on a worker: status, latency, body excerpt
  uninstall ORG INTEGRATION      Remove an installation and its configurations
  list [ORG]                     Installations and their configurations (secrets redacted)
  status [INTEGRATION]           Lifecycle status, owner, installations, actions
  call/paginate ... --company ID --override x=NAME
                                 Run for the organization a vendor company is mapped to

Options for every command:
  --config FILE                  temporal.config.ts (default: ./temporal.config.ts if present)
  --log-level LEVEL              Temporal SDK log level: TRACE, DEBUG, INFO, WARN (default), ERROR

Connection settings follow Temporal's conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_*, TEMPORAL_PROFILE; also TEMPORAL_TASK_QUEUE and CUSTOM_INTEGRATIONS_DEFINITIONS.
Payload encryption keys: CUSTOM_INTEGRATIONS_CODEC_KEYS (id:base64key,... current first) or
CUSTOM_INTEGRATIONS_CODEC_KEY_FILE; without them, a key generated once in ~/.config/temporal-custom-integrations.`;

const COMMANDS = {
  worker: workerCommand,
  call: callCommand,
  paginate: paginateCommand,
  authorize: authorizeCommand,
  dev: devCommand,
  server: serverCommand,
  'codec-server': codecServerCommand,
  orgs: orgsCommand,
  integrations: integrationsCommand,
  install: installCommand,
  configure: configureCommand,
  test: testCommand,
  uninstall: uninstallCommand,
  list: listCommand,
  status: statusCommand,
  check: checkCommand,
  import: importCommand,
  lint: lintCommand,
  schema: schemaCommand,
  types: typesCommand,
  actions: actionsCommand,
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      param: { type: 'string', multiple: true },
      input: { type: 'string' },
      configuration: { type: 'string' },
      override: { type: 'string', multiple: true },
      organization: { type: 'string' },
      out: { type: 'string' },
      module: { type: 'string' },
      name: { type: 'string' },
      hostname: { type: 'string' },
      auth: { type: 'string' },
      validate: { type: 'boolean' },
      discover: { type: 'boolean' },
      json: { type: 'boolean' },
      'page-limit': { type: 'string' },
      wait: { type: 'string' },
      'no-read-ahead': { type: 'boolean' },
      handler: { type: 'string' },
      pattern: { type: 'string' },
      replacement: { type: 'string' },
      flags: { type: 'string' },
      target: { type: 'string' },
      'camel-case': { type: 'boolean' },
      apply: { type: 'boolean' },
      undo: { type: 'boolean' },
      port: { type: 'string' },
      ip: { type: 'string' },
      'ui-origin': { type: 'string', multiple: true },
      parent: { type: 'string' },
      set: { type: 'string', multiple: true },
      unset: { type: 'string', multiple: true },
      remove: { type: 'boolean' },
      path: { type: 'string' },
      action: { type: 'string' },
      id: { type: 'string' },
      status: { type: 'string' },
      company: { type: 'string' },
      'log-level': { type: 'string', default: process.env.CUSTOM_INTEGRATIONS_LOG_LEVEL ?? 'WARN' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name, ...rest] = positionals;
  if (values.help || !name) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${USAGE}`);
  installLogger(values['log-level']);
  const config = await loadTemporalConfig(values.config === undefined ? {} : { file: values.config });
  return command({ config, args: rest, options: values });
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The SDK logs every worker state change at INFO; a CLI user wants warnings and errors unless they ask. */
function installLogger(level: string): void {
  const upper = level.toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(upper)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  Runtime.install({ logger: new DefaultLogger(upper) });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const error = err as Error;
      // Our own errors say what to fix; only an unexpected one deserves a stack trace.
      const expected = error instanceof UsageError || ['DefinitionError', 'ConfigurationError', 'CodecKeyError', 'RegistryError'].includes(error.name);
      console.error(`custom-integrations: ${expected ? error.message : error.stack ?? error.message}`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
