// What `tide up` shows while it runs. On a terminal: one screen redrawn every second — replicas over
// time, each trigger's metric against its target, the last decisions in words, the last replica
// events. Elsewhere (a pipe, CI): one line per change, so logs stay readable.
import type { LoopDecision } from '../engine/loop-decisions.js';
import { describeTrigger, explainDecision, notableDecisions, type ExplainContext } from './explain.js';
import type { UpEvent, UpStatus } from './local-up.js';

const BARS = '▁▂▃▄▅▆▇█';
const HISTORY_SECONDS = 60;
const SHOWN_DECISIONS = 6;
const SHOWN_EVENTS = 5;

export interface LiveViewOptions {
  readonly write: (text: string) => void;
  /** Redraw a screen (terminal) or print lines (anything else). */
  readonly tty: boolean;
  readonly now?: () => number;
  /** Where the ScaledObject came from, for the heading ("examples/x/scaledobject.yaml" or "the app's triggers"). */
  readonly source: string;
  /** What the decisions' words need to know of the ScaledObject (explainContext). */
  readonly explain: ExplainContext;
  /** Terminal width: longer lines are cut so the redraw stays in place. */
  readonly columns?: number;
}

/** Replica counts over time as one line of bars scaled to `max`. */
export function sparkline(values: readonly number[], max: number): string {
  const top = Math.max(1, max);
  return values.map((v) => (v <= 0 ? ' ' : (BARS[Math.min(BARS.length - 1, Math.ceil((v / top) * BARS.length) - 1)] ?? ' '))).join('');
}

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export class LiveView {
  private readonly now: () => number;
  private readonly decisions: LoopDecision[] = [];
  private readonly events: string[] = [];
  private readonly history: number[] = [];
  private lastSample = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;

  constructor(private readonly options: LiveViewOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts redrawing (terminal) every second from `status`. */
  start(status: () => UpStatus): void {
    if (!this.options.tty) return;
    this.timer = setInterval(() => {
      this.draw(status());
    }, 1000);
    this.timer.unref();
  }

  /** Stops redrawing and leaves the last screen (terminal) in place. */
  stop(status: UpStatus): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.tty) this.draw(status);
  }

  decision(decision: LoopDecision): void {
    this.decisions.push(decision);
    if (this.decisions.length > 200) this.decisions.shift();
    if (!this.options.tty && (decision.replicasAfter !== decision.replicasBefore || decision.error !== undefined)) {
      this.options.write(`${explainDecision(decision, this.options.explain)}\n`);
    }
  }

  event(event: UpEvent): void {
    const line = event.source === 'http' && !event.message.startsWith('HTTP') ? `HTTP: ${event.message}` : event.message;
    this.events.push(line);
    if (this.events.length > SHOWN_EVENTS) this.events.shift();
    if (!this.options.tty) this.options.write(`${line}\n`);
  }

  /** Samples the replica count once a second (for the bars). */
  private sample(replicas: number): void {
    const now = this.now();
    if (this.history.length === 0 || now - this.lastSample >= 1000) {
      this.history.push(replicas);
      if (this.history.length > HISTORY_SECONDS) this.history.shift();
      this.lastSample = now;
    }
    this.peak = Math.max(this.peak, replicas);
  }

  /** The screen for one status, as lines. */
  frame(status: UpStatus): string[] {
    const replicas = status.replicas.length;
    const ready = status.replicas.filter((r) => r.phase === 'ready').length;
    this.sample(replicas);
    const so = status.scaledObject;
    const lines = [
      `tide up · ${clock(this.now() - status.startedAt)} · ScaledObject ${so.namespace}/${so.name} (${this.options.source}) · ${status.mode} mode · polling every ${status.pollingInterval} s`,
    ];
    if (status.http) lines.push(`HTTP ${status.http.url} (${status.http.replica?.phase ?? 'stopped'}): ${status.http.functions.join(', ')}`);
    lines.push(
      '',
      `replicas ${String(replicas).padStart(3)} (${ready} ready${status.draining > 0 ? `, ${status.draining} draining` : ''}) · peak ${this.peak} · max ${status.explain.maxReplicaCount} · restarts ${status.restarts}`,
      `  │${sparkline(this.history, status.explain.maxReplicaCount).padEnd(HISTORY_SECONDS)}│ last ${HISTORY_SECONDS} s`,
      '',
      'triggers',
    );
    const triggers = status.lastDecision?.triggers ?? [];
    if (triggers.length === 0) lines.push('  (no poll yet)');
    for (const t of triggers) lines.push(`  ${describeTrigger(t)}${t.active === true ? ' · active' : ''}`);
    lines.push('', 'last decisions');
    const notable = notableDecisions(this.decisions).slice(-SHOWN_DECISIONS);
    if (notable.length === 0) lines.push('  (none yet)');
    for (const d of notable) lines.push(`  ${explainDecision(d, this.options.explain)}`);
    lines.push('', 'replica events');
    if (this.events.length === 0) lines.push('  (none yet)');
    for (const e of this.events) lines.push(`  ${e}`);
    lines.push('', 'Ctrl-C drains every replica and exits.');
    return lines;
  }

  private draw(status: UpStatus): void {
    const width = this.options.columns ?? 120;
    const lines = this.frame(status).map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    // Move up over the previous screen and clear it, so the view redraws in place.
    const clear = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.options.write(`${clear}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
