import { writeFileSync } from 'node:fs';
import { definitionJsonSchema } from '../../definition/json-schema';
import type { Command } from './types';

export const schemaCommand: Command = async ({ options }) => {
  const text = `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
  if (options.out) writeFileSync(options.out, text);
  else process.stdout.write(text);
  return 0;
};
