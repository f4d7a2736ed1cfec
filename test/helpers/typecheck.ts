/**
 * Type-checking files that exist only in memory with the TypeScript compiler, as a user's project would: generated
 * types are only right if the compiler accepts them and refuses wrong calls.
 */
import path from 'node:path';
import ts from 'typescript';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  skipLibCheck: true,
};

export interface Problem {
  readonly code: number;
  readonly line: number;
  readonly message: string;
}

export interface TypeChecked {
  readonly program: ts.Program;
  /** Semantic and syntactic problems of one of the in-memory files. */
  problems(name: string): Problem[];
  sourceFile(name: string): ts.SourceFile;
}

/** `files` by name, placed in `dir` (which must exist) so that their relative imports reach real modules. */
export function typeCheck(files: Readonly<Record<string, string>>, dir: string): TypeChecked {
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(dir, name), text]));
  const host = ts.createCompilerHost(OPTIONS);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(path.resolve(file)) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(path.resolve(file));
    return text === undefined ? getSourceFile.call(host, file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host);
  const sourceFile = (name: string): ts.SourceFile => {
    const file = program.getSourceFile(path.join(dir, name));
    if (!file) throw new Error(`${name} is not part of the program`);
    return file;
  };
  return {
    program,
    sourceFile,
    problems(name) {
      const file = sourceFile(name);
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ({
        code: d.code,
        line: d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      }));
    },
  };
}
