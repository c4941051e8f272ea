// How the trigger mapping reads a binding's options the way the Functions host does: `%NAME%`
// resolved from the app settings, connection names checked against the settings, and every missing
// setting collected as a problem naming it (not thrown), so one run reports them all.
import { joinPath, problem, type Problem } from '../api/problems.js';
import type { BindingDefinition, FunctionDefinition } from './function-model.js';

/** Reads one binding's options and gathers the problems found while reading. */
export class BindingReader {
  readonly problems: Problem[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly fn: FunctionDefinition,
    readonly binding: BindingDefinition,
    readonly settings: Readonly<Record<string, string>>,
  ) {}

  /** Field path of a binding option in problems: `functions.<name>.<key>`. */
  path(key: string): string {
    return joinPath(joinPath('functions', this.fn.name), key);
  }

  /** Records an error at the option `key`. */
  fail(key: string, message: string): void {
    this.problems.push(problem(this.path(key), message));
  }

  /** A string option with `%NAME%` resolved; undefined (and no problem) when absent or empty. */
  text(key: string): string | undefined {
    const raw = this.binding.options[key];
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw === 'string') return this.resolve(raw, key);
    this.fail(key, `expected a string, got ${JSON.stringify(raw)}`);
    return undefined;
  }

  /** Like text, but a missing value is an error naming the option. */
  required(key: string, what: string, read: (key: string) => string | undefined = (k) => this.text(k)): string | undefined {
    const before = this.problems.length;
    const value = read(key);
    // A missing %NAME% was already reported; one problem per cause.
    if ((value === undefined || value === '') && this.problems.length === before) this.fail(key, `"${key}" is required (${what})`);
    return value;
  }

  /** A value that may be the name of a setting, contain `%NAME%`, or be the value itself (Kafka's brokerList). */
  settingOrLiteral(key: string): string | undefined {
    const raw = this.binding.options[key];
    if (typeof raw === 'string' && raw !== '' && this.settings[raw] !== undefined) return this.settings[raw];
    return this.text(key);
  }

  /** `%NAME%` tokens replaced by their settings; a missing one is a problem naming the setting. */
  resolve(text: string, key: string): string | undefined {
    const missing: string[] = [];
    const value = text.replace(/%([^%]+)%/g, (_match, name: string) => {
      const found = this.settings[name];
      if (found === undefined) missing.push(name);
      return found ?? '';
    });
    for (const name of missing) this.fail(key, `app setting "${name}" (from %${name}%) is not set`);
    return missing.length > 0 ? undefined : value;
  }

  /**
   * The setting that holds the connection named by option `key` (or `fallback`): the name KEDA will
   * read with `*FromEnv`. Like the host, `AzureWebJobs<name>` is tried too. Missing → a problem.
   */
  connection(key: string, fallback: string | undefined): string | undefined {
    const named = this.text(key);
    const setting = named !== undefined && named !== '' ? named : fallback;
    if (setting !== undefined) return this.existingSetting(setting, key);
    this.fail(key, `"${key}" is required (the name of the setting holding the connection string)`);
    return undefined;
  }

  /** `setting` (or `AzureWebJobs<setting>`) when it holds a value; otherwise a problem at `key` naming it. */
  existingSetting(setting: string, key: string): string | undefined {
    for (const candidate of [setting, `AzureWebJobs${setting}`]) {
      const value = this.settings[candidate];
      if (value !== undefined && value !== '') return candidate;
    }
    const identity = Object.keys(this.settings).some((k) => k.startsWith(`${setting}__`));
    this.fail(
      key,
      identity
        ? `connection "${setting}" is identity-based (${setting}__…): KEDA needs a connection string in a setting or a TriggerAuthentication with podIdentity, which this mapping does not write`
        : `connection setting "${setting}" is not set (add it to local.settings.json Values or the environment)`,
    );
    return undefined;
  }
}
