// A plain-ASCII step chart of replicas over time, for terminals (no colours, no box-drawing fonts).

export interface ChartPoint {
  readonly t: number;
  readonly value: number;
}

export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly end?: number;
}

/** Renders a step function (each point's value holds until the next point) as lines of text. */
export function renderStepChart(points: readonly ChartPoint[], options: ChartOptions = {}): string {
  const width = options.width ?? 64;
  const end = Math.max(options.end ?? 0, points.at(-1)?.t ?? 0, 1);
  const columns = bucketMaxima(points, width, end);
  const peak = Math.max(1, ...columns);
  const height = Math.min(options.height ?? 12, peak);
  const label = String(peak).length;
  const lines: string[] = options.title ? [options.title] : [];
  for (let row = height; row >= 1; row--) {
    const threshold = (row - 0.5) * (peak / height);
    const axis = row === height ? String(peak) : row === 1 ? String(Math.round(peak / height)) : '';
    const bar = columns.map((v) => (v >= threshold ? '#' : ' ')).join('');
    lines.push(`${axis.padStart(label)} |${bar}`);
  }
  lines.push(`${'0'.padStart(label)} +${'-'.repeat(width)}`);
  const endLabel = formatSeconds(end);
  lines.push(`${' '.repeat(label + 2)}0s${' '.repeat(Math.max(1, width - 2 - endLabel.length))}${endLabel}`);
  return `${lines.join('\n')}\n`;
}

/** The highest value in each of `width` equal time buckets over [0, end]. */
function bucketMaxima(points: readonly ChartPoint[], width: number, end: number): number[] {
  const columns = new Array<number>(width).fill(0);
  points.forEach((point, i) => {
    const next = points[i + 1]?.t ?? end;
    const from = Math.min(width - 1, Math.floor((point.t / end) * width));
    const to = Math.min(width - 1, Math.max(from, Math.ceil((next / end) * width) - 1));
    for (let c = from; c <= to; c++) columns[c] = Math.max(columns[c] ?? 0, point.value);
  });
  return columns;
}

/** Seconds as a short human duration: 45s, 2m30s, 1h05m. */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
