import { parseArgs } from 'node:util';

/**
 * Command lines (migrate, seed, bench, chaos) parsed by node:util's parseArgs in strict mode: an
 * unknown flag, a missing value or a number that is not one stops the program with a message and
 * the usage, instead of running with a default the user did not ask for.
 */
export type CliOption =
  | { type: 'integer'; default?: number; min?: number; max?: number; help: string }
  | { type: 'number'; default?: number; min?: number; max?: number; help: string }
  | { type: 'string'; default?: string; help: string }
  | { type: 'boolean'; help: string };

type Value<O extends CliOption> = O extends { type: 'boolean' }
  ? boolean
  : O extends { type: 'integer' | 'number'; default: number }
    ? number
    : O extends { type: 'integer' | 'number' }
      ? number | undefined
      : O extends { default: string }
        ? string
        : string | undefined;

export type CliValues<S extends Record<string, CliOption>> = { [K in keyof S]: Value<S[K]> };

export interface CliSpec<S extends Record<string, CliOption>> {
  /** e.g. `npm run seed --`; the usage line starts with it. */
  command: string;
  options: S;
  /** Names of the positional arguments allowed (none by default), for the usage line. */
  positionals?: { names: string; min: number; max: number };
}

/** A command line the program refuses; `message` says why, `usage` how to call it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function usageOf<S extends Record<string, CliOption>>(spec: CliSpec<S>): string {
  const lines = [`usage: ${spec.command}${spec.positionals ? ` ${spec.positionals.names}` : ''} [options]`];
  for (const [name, option] of Object.entries(spec.options)) {
    const value = option.type === 'boolean' ? '' : option.type === 'string' ? ' <text>' : ` <${option.type === 'integer' ? 'N' : 'X'}>`;
    const fallback = 'default' in option && option.default !== undefined ? ` (default ${option.default})` : '';
    lines.push(`  --${name}${value}`.padEnd(30) + ` ${option.help}${fallback}`);
  }
  lines.push(`  --help`.padEnd(30) + ' this text');
  return lines.join('\n');
}

/** Parses `args` against `spec`; throws CliError for anything it does not accept. `help` is true
 * when --help/-h was given (the caller prints the usage). */
export function parseCommandLine<S extends Record<string, CliOption>>(
  args: readonly string[],
  spec: CliSpec<S>,
): { values: CliValues<S>; positionals: string[]; help: boolean } {
  const usage = usageOf(spec);
  const parserOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    parserOptions[name] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: parserOptions, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs' own messages name the flag ("Unknown option '--user'…", "Option '--users <value>'
    // argument missing"); they are meant for the user.
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(message.split('. To specify a positional argument')[0]!, usage);
  }
  const positionals = parsed.positionals;
  const allowed = spec.positionals ?? { names: '', min: 0, max: 0 };
  if (positionals.length < allowed.min || positionals.length > allowed.max) {
    throw new CliError(
      allowed.max === 0 ? `Unexpected argument '${positionals[0]}'` : `Expected ${allowed.names}, got ${positionals.length ? positionals.join(' ') : 'nothing'}`,
      usage,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (option.type === 'boolean') {
      values[name] = raw === true;
    } else if (option.type === 'string') {
      values[name] = (raw as string | undefined) ?? option.default;
    } else if (raw === undefined) {
      values[name] = option.default;
    } else {
      const text = String(raw);
      const pattern = option.type === 'integer' ? INTEGER : NUMBER;
      const value = Number(text);
      const kind = option.type === 'integer' ? 'an integer' : 'a number';
      if (!pattern.test(text) || !Number.isFinite(value) || (option.type === 'integer' && !Number.isSafeInteger(value))) {
        throw new CliError(`--${name} must be ${kind}, got '${text}'`, usage);
      }
      if ((option.min !== undefined && value < option.min) || (option.max !== undefined && value > option.max)) {
        const range = option.max === undefined ? `at least ${option.min}` : option.min === undefined ? `at most ${option.max}` : `${option.min}–${option.max}`;
        throw new CliError(`--${name} must be ${range}, got ${text}`, usage);
      }
      values[name] = value;
    }
  }
  return { values: values as CliValues<S>, positionals, help: parsed.values.help === true };
}

/**
 * For entry points: parses `args` (default: this process's), prints the usage and exits 0 on
 * --help, prints the error and the usage and exits 2 on a command line it refuses.
 */
export function commandLine<S extends Record<string, CliOption>>(
  spec: CliSpec<S>,
  args: readonly string[] = process.argv.slice(2),
): { values: CliValues<S>; positionals: string[] } {
  try {
    const { values, positionals, help } = parseCommandLine(args, spec);
    if (help) {
      console.log(usageOf(spec));
      process.exit(0);
    }
    return { values, positionals };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`${error.message}\n${error.usage}`);
    process.exit(2);
  }
}
