import type { TemporalConfig } from '../../config/temporal-config';

export interface CommandOptions {
  readonly config?: string;
  readonly param?: string[];
  readonly input?: string;
  readonly configuration?: string;
  readonly override?: string[];
  readonly organization?: string;
  readonly out?: string;
}

export interface CommandContext {
  readonly config: TemporalConfig;
  readonly args: readonly string[];
  readonly options: CommandOptions;
}

export type Command = (context: CommandContext) => Promise<number>;
