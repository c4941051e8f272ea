// Go's strconv.ParseFloat for the decimal forms people write ("2", "0.5", "1e3", ".5", "+3").
// KEDA parses scalingModifiers targets and job percentages this way, so "1,5" or "50%" must fail
// here exactly as they fail there.

const DECIMAL = /^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/;

/** The finite number a Go ParseFloat would return for `text`, or undefined when Go would fail. */
export function parseGoFloat(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text.replaceAll('_', ''));
  return Number.isFinite(value) ? value : undefined;
}
