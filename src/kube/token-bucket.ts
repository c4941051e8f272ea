// A token bucket: the client-side QPS/burst limit of client-go (--kube-api-qps, --kube-api-burst), so
// a thousand ScaledObjects waking at once queue here instead of getting 429s from the API server.

export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `qps` tokens per second, at most `burst` saved up; qps ≤ 0 means no limit. */
  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = Math.max(1, burst);
    this.last = now();
  }

  /** Takes one token and returns how long to wait before using it (0 when one was available). */
  reserve(): number {
    if (this.qps <= 0) return 0;
    const now = this.now();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Resolves once a token is available. */
  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
}
