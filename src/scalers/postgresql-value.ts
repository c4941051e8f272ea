// The value of a scaler query (postgresql, mysql): the first column of the first row as a float64, as
// KEDA scans it. Drivers hand numbers back as numbers, bigint or strings (numeric/decimal, int8).

/** The first column of the first row as a finite number, or an Error saying why it is not one. */
export function firstColumnNumber(rows: readonly (readonly unknown[])[]): number | Error {
  const row = rows[0];
  if (!row) return new Error('the query returned no rows');
  if (row.length === 0) return new Error('the query returned no columns');
  const cell = row[0];
  if (cell === null || cell === undefined) return new Error('the query returned NULL');
  const value = typeof cell === 'number' ? cell : typeof cell === 'bigint' || typeof cell === 'string' ? Number(String(cell).trim() || 'x') : NaN;
  return Number.isFinite(value) ? value : new Error(`the query's first column is not a number`);
}
