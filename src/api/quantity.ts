// Kubernetes resource.Quantity, reduced to what scaling needs: parse to integer milli-units (as
// Quantity.MilliValue() does, rounding up) and format the way Kubernetes prints a DecimalSI quantity.
// Replica arithmetic on milli-units keeps tide's counts identical to a real HPA's.

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Milli-units of a Kubernetes quantity string ("5", "1500m", "2k", "1Ki", "1e3", "0.5"), or an error message. */
export function parseQuantity(text: string): { milli: number } | { error: string } {
  const match = QUANTITY.exec(text.trim());
  if (!match) return { error: `"${text}" is not a quantity (expected a number such as 5, 2.5, 1500m or 2k)` };
  const [, sign = '', number = '0', exponent, suffix = ''] = match;
  const [whole = '0', fraction = ''] = number.split('.');
  const digits = BigInt((whole + fraction).replace(/^0+(?=\d)/, '') || '0');
  let numerator = digits * 1000n;
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY_SUFFIX) numerator *= 2n ** BigInt(BINARY_SUFFIX[suffix] ?? 0);
  else {
    const power = exponent !== undefined ? Number(exponent.slice(1)) : (DECIMAL_SUFFIX[suffix] ?? 0);
    if (power >= 0) numerator *= 10n ** BigInt(power);
    else denominator *= 10n ** BigInt(-power);
  }
  // MilliValue rounds away from zero when a value is finer than a milli-unit.
  let milli = numerator / denominator + (numerator % denominator === 0n ? 0n : 1n);
  if (sign === '-') milli = -milli;
  if (milli > BigInt(Number.MAX_SAFE_INTEGER) || milli < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return { error: `"${text}" is too large` };
  }
  return { milli: Number(milli) };
}

/** Milli-units of a scaler's float value as KEDA makes its Quantity: `int64(value * 1000)`, truncated; NaN/±Inf → 0. */
export function milliFromFloat(value: number): number {
  return Number.isFinite(value) ? Math.trunc(value * 1000) : 0;
}

/** Canonical DecimalSI text of a milli quantity, as Kubernetes prints it: 5000 → "5", 1500 → "1500m", 5e6 → "5k". */
export function formatQuantity(milli: number): string {
  if (!Number.isInteger(milli)) milli = Math.ceil(milli);
  if (milli === 0) return '0';
  const sign = milli < 0 ? '-' : '';
  let mantissa = BigInt(Math.abs(milli));
  let exponent = -3;
  while (mantissa % 1000n === 0n && exponent < 18) {
    mantissa /= 1000n;
    exponent += 3;
  }
  const suffix = Object.entries(DECIMAL_SUFFIX).find(([, power]) => power === exponent)?.[0] ?? '';
  return `${sign}${mantissa.toString()}${suffix}`;
}
