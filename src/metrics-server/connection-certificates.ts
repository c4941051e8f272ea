// What a TLS connection's client certificate proves, worked out once per connection instead of once
// per request (the aggregator keeps one connection open for many requests, and reading, parsing and
// verifying the chain was most of a request's CPU). Per connection (a WeakMap keyed by the socket, so
// it goes with the connection): the chain as parsed from the socket, and per CA set (front proxy,
// client CA) the verdict — the leaf's CN and O, or why it does not verify. A verdict is used again
// only while the CA set is the one it was checked against (same certificates: a ConfigMap re-read
// that brings the same CAs keeps it, a rotated CA re-verifies) and while the verified path is within
// its validity. The adapter's server refuses TLS renegotiation (server.ts), so a connection's
// certificate cannot change under its verdict.
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { peerChain, subjectValues, verifyClientChainPath } from './client-certificates.js';

/** The leaf's subject when the chain leads to the CA set, else Go's wording of why not. */
export type ChainVerdict = { readonly cn: string; readonly organizations: readonly string[] } | { readonly error: string };

/** Which CA set a verdict is about (each decides something else). */
export type CaPurpose = 'requestheader' | 'client';

interface Checked {
  cas: readonly X509Certificate[];
  /** Epoch ms between which the verdict holds (the verified path's validity; for a failure, until time cannot change it). */
  readonly from: number;
  readonly to: number;
  readonly verdict: ChainVerdict;
}

interface Connection {
  readonly chain: readonly X509Certificate[];
  readonly checked: Map<CaPurpose, Checked>;
}

const sameCertificates = (a: readonly X509Certificate[], b: readonly X509Certificate[]): boolean =>
  a.length === b.length && a.every((cert, i) => b[i] !== undefined && cert.raw.equals(b[i].raw));

const validFrom = (cert: X509Certificate): number => Date.parse(cert.validFrom);
const validTo = (cert: X509Certificate): number => Date.parse(cert.validTo);

function check(chain: readonly X509Certificate[], cas: readonly X509Certificate[], now: number): Checked {
  const result = verifyClientChainPath(chain, cas, new Date(now));
  if ('error' in result) {
    // A certificate not valid yet may become valid: decide again from then on. Anything else only a CA change can fix.
    const from = Math.max(...chain.map(validFrom), ...cas.map(validFrom));
    return { cas, from, to: Infinity, verdict: { error: result.error } };
  }
  const leaf = result.path[0];
  return {
    cas,
    from: Math.max(...result.path.map(validFrom)),
    to: Math.min(...result.path.map(validTo)),
    verdict: leaf === undefined ? { error: 'x509: no client certificate' } : { cn: subjectValues(leaf, 'CN')[0] ?? '', organizations: subjectValues(leaf, 'O') },
  };
}

export class ConnectionCertificates {
  private readonly connections = new WeakMap<object, Connection>();

  /** `onVerify` is told of every chain verification actually done (tests count them). */
  constructor(private readonly onVerify?: (purpose: CaPurpose) => void) {}

  /** The verdict on the client certificate of `req`'s connection against `cas`; undefined when the client sent none. */
  verdict(req: IncomingMessage, purpose: CaPurpose, cas: readonly X509Certificate[], now: number): ChainVerdict | undefined {
    const socket: object = req.socket;
    let connection = this.connections.get(socket);
    if (connection === undefined) {
      connection = { chain: peerChain(req), checked: new Map() };
      this.connections.set(socket, connection);
    }
    if (connection.chain.length === 0) return undefined;
    const known = connection.checked.get(purpose);
    if (known !== undefined && now >= known.from && now <= known.to) {
      if (known.cas === cas) return known.verdict;
      if (sameCertificates(known.cas, cas)) {
        known.cas = cas; // the same CAs re-read: next time the identity check suffices
        return known.verdict;
      }
    }
    const checked = check(connection.chain, cas, now);
    this.onVerify?.(purpose);
    connection.checked.set(purpose, checked);
    return checked.verdict;
  }
}
