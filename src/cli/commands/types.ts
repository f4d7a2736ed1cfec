import type { TemporalConfig } from '../../config/temporal-config';

export interface CommandOptions {
  readonly config?: string;
  readonly param?: string[];
  readonly input?: string;
  readonly configuration?: string;
  readonly override?: string[];
  readonly organization?: string;
  readonly out?: string;
  /** `actions rename`: the regex, its flags, the replacement, the field(s) renamed. */
  readonly pattern?: string;
  readonly flags?: string;
  readonly replacement?: string;
  readonly target?: string;
  readonly 'camel-case'?: boolean;
  /** `actions rename` only previews unless this is set. */
  readonly apply?: boolean;
  /** `actions deprecate --undo` un-deprecates. */
  readonly undo?: boolean;
  /** `paginate`: the most pages fetched, and a page handler of the worker (forEachPage) instead of collecting. */
  readonly 'page-limit'?: string;
  readonly handler?: string;
  /** `paginate`: fetch each page only when its activity runs (the read-ahead is on by default). */
  readonly 'no-read-ahead'?: boolean;
  /** `authorize`: seconds to wait for the authorization callback. */
  readonly wait?: string;
  /** `import`: the integration name, the API host for specs without an absolute server, full schema validation. */
  readonly name?: string;
  readonly hostname?: string;
  /** import: the security scheme to take auth from. */
  readonly auth?: string;
  readonly validate?: boolean;
  /** import: read OpenID Connect discovery documents (network). */
  readonly discover?: boolean;
  /** `import`, `lint`: messages as JSON. */
  readonly json?: boolean;
  /** `types`: the module the generated declarations augment. */
  readonly module?: string;
  /** `codec-server`: where to listen, and the Web UI origins allowed to call it from a browser. */
  readonly port?: string;
  readonly ip?: string;
  readonly 'ui-origin'?: string[];
}

/** Options of the organization registry commands (orgs, integrations, install, configure, test, list, status). */
export interface RegistryCommandOptions {
  /** `orgs add`: the parent organization. */
  readonly parent?: string;
  /** `install`, `configure`: field=value pairs, and fields to remove; `--remove` removes the configuration. */
  readonly set?: string[];
  readonly unset?: string[];
  readonly remove?: boolean;
  /** `test`: the path the GET goes to. */
  readonly path?: string;
  /** `orgs map`: the paginated action listing companies, and the dotted path of their id (`--name` for their name). */
  readonly action?: string;
  readonly id?: string;
  /** `integrations finalize`: published or hidden. */
  readonly status?: string;
  /** `call`, `paginate`: a vendor company id, mapped to the organization the run acts for. */
  readonly company?: string;
}

export interface CommandContext {
  readonly config: TemporalConfig;
  readonly args: readonly string[];
  readonly options: CommandOptions & RegistryCommandOptions;
}

export type Command = (context: CommandContext) => Promise<number>;
