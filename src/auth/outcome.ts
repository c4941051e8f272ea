// What each authentication source contributes: values for parameters, and failures that say which
// field of the TriggerAuthentication failed and why (the resolver adds the object's kind and name).

/** A source that could not supply a value; `field` is a path inside the spec (`secretTargetRef[0]`). */
export interface Failure {
  readonly field: string;
  readonly parameter?: string;
  readonly message: string;
  readonly severity?: 'error' | 'warning';
}

export interface Outcome {
  /** Parameter values in the order the source defines them (later entries win). */
  readonly values: (readonly [parameter: string, value: string])[];
  readonly failures: Failure[];
}

/** An empty outcome to add to. */
export const outcome = (): Outcome => ({ values: [], failures: [] });

/** Replaces every occurrence of each secret (longest first) in `text` with `***`. */
export function scrub(text: string, secrets: Iterable<string>): string {
  const sorted = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}
