// Field paths as users read them: spec.triggers[0].metadata.queueName, and
// metadata.annotations["autoscaling.keda.sh/paused"] for keys that are not plain identifiers.

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Appends one key or index to a field path. */
export function appendPath(parent: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const text = String(key);
  if (!IDENTIFIER.test(text)) return `${parent}[${JSON.stringify(text)}]`;
  return parent === '' ? text : `${parent}.${text}`;
}

/** A field path from a list of keys and indexes, such as a zod issue path. */
export function formatPath(keys: readonly PropertyKey[]): string {
  return keys.reduce<string>((path, key) => appendPath(path, key), '');
}

/** The keys and indexes of a path written by formatPath (the inverse, for locating a field in YAML). */
export function parsePath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const token = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(token)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[3] !== undefined) keys.push(JSON.parse(match[3]) as string);
  }
  return keys;
}
