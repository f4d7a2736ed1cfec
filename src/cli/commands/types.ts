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
  /** `import`: the integration name, the API host for specs without an absolute server, full schema validation. */
  readonly name?: string;
  readonly hostname?: string;
  readonly validate?: boolean;
  /** `import`, `lint`: messages as JSON. */
  readonly json?: boolean;
  /** `types`: the module the generated declarations augment. */
  readonly module?: string;
}

export interface CommandContext {
  readonly config: TemporalConfig;
  readonly args: readonly string[];
  readonly options: CommandOptions;
}

export type Command = (context: CommandContext) => Promise<number>;
