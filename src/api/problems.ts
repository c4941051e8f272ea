// A problem with user input: where it is (a field path such as spec.triggers[0].metadata.queueName)
// and what is wrong. User mistakes are values of this type, never exceptions, so every problem in a
// document can be reported at once.

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Field path inside the object, e.g. `spec.minReplicaCount`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

/** An error-severity problem at `path`. */
export const problem = (path: string, message: string): Problem => ({ path, message, severity: 'error' });

/** A warning-severity problem at `path`. */
export const warning = (path: string, message: string): Problem => ({ path, message, severity: 'warning' });

/** True when any problem is an error (warnings alone do not fail validation). */
export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === 'error');

/** Joins a parent path and a child key or index the way the CLI prints field paths. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  return parent === '' ? child : `${parent}.${child}`;
}
