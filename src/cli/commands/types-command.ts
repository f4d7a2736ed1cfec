import path from 'node:path';
import { loadDefinitions } from '../../definition/load';
import { generateTypes } from '../../types/generate';
import type { Command } from './types';
import { writeAtomically } from '../write-atomically';

export const DEFAULT_TYPES_FILE = 'integrations.d.ts';

/**
 * Writes the input and output types of every action of the definitions folder, for workflow code to be checked
 * against. `--module` names the module to augment when it is not the package's (inside this repository, say).
 */
export const typesCommand: Command = async ({ config, options }) => {
  const definitions = loadDefinitions(config.definitionsDir);
  const moduleName = options.module;
  const out = path.resolve(options.out ?? DEFAULT_TYPES_FILE);
  writeAtomically(out, generateTypes(definitions, moduleName === undefined ? {} : { moduleName }));
  const actions = definitions.reduce((sum, d) => sum + d.actions.length, 0);
  console.log(`wrote ${path.relative(process.cwd(), out)}: types of ${count(actions, 'action')} of ${count(definitions.length, 'integration')}`);
  return 0;
};

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

