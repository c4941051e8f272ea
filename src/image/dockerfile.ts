// Reads a Dockerfile into instructions (keyword, arguments, line), as BuildKit's parser does for the
// parts tide supports: `\` line continuations, comment lines (also inside continuations), JSON
// ("exec") and shell forms, `--flag=value` options. What each instruction means is in build-plan.ts.
import { ImageInputError } from './errors.js';

export interface Instruction {
  /** Upper-case keyword (FROM, COPY, …). */
  readonly keyword: string;
  /** Everything after the keyword and its flags, continuations joined. */
  readonly args: string;
  /** `--name=value` options before the arguments. */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments when written as a JSON array of strings. */
  readonly json?: readonly string[];
  /** 1-based line of the keyword. */
  readonly line: number;
  /** The instruction as written (continuations joined), for messages. */
  readonly text: string;
}

const FLAG = /^--([a-z-]+)(?:=(\S*))?\s*/;

function parseJsonArgs(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

function instruction(text: string, line: number, file: string): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) throw new ImageInputError(`${file}:${line}: cannot read "${text}"`);
  const keyword = (match[1] ?? '').toUpperCase();
  let args = (match[2] ?? '').trim();
  const flags: Record<string, string> = {};
  for (let flag = FLAG.exec(args); flag; flag = FLAG.exec(args)) {
    flags[flag[1] ?? ''] = flag[2] ?? '';
    args = args.slice(flag[0].length);
  }
  const json = parseJsonArgs(args);
  return json === undefined ? { keyword, args, flags, line, text } : { keyword, args, flags, json, line, text };
}

/** Instructions of a Dockerfile's text; `file` names it in errors. */
export function parseDockerfile(content: string, file = 'Dockerfile'): Instruction[] {
  const lines = content.split(/\r?\n/);
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment and empty lines end nothing: inside a continuation they are skipped, as BuildKit does.
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) return;
    if (trimmed === '' && pending !== undefined) return;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1) : trimmed;
    pending = pending === undefined ? { text: part, line: index + 1 } : { text: `${pending.text} ${part}`, line: pending.line };
    if (!continues) {
      out.push(instruction(pending.text.trim(), pending.line, file));
      pending = undefined;
    }
  });
  if (pending !== undefined) out.push(instruction(pending.text.trim(), pending.line, file));
  return out;
}
