// Test helpers: AdmissionReview requests over real HTTPS to a webhook server, trusting one CA, each on
// a new connection (no agent), so a request sees the certificate served now.
import { request } from 'node:https';

export const SERVICE_NAME = 'keda-admission-webhooks.keda.svc';

export interface Answer {
  readonly httpStatus: number;
  readonly body: {
    apiVersion: string;
    kind: string;
    response: { uid: string; allowed: boolean; status: { code: number; reason?: string; message?: string }; warnings?: string[] };
  };
}

/** POSTs `body` (JSON unless a string) to `path` and returns the parsed answer. */
export function post(port: number, ca: string, path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }): Promise<Answer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: SERVICE_NAME, headers, agent: false }, (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => {
        try {
          resolve({ httpStatus: res.statusCode ?? 0, body: JSON.parse(data) as Answer['body'] });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

let uidCounter = 0;

/** An AdmissionReview v1 request for `object`. */
export function review(object: Record<string, unknown>, options: { operation?: string; oldObject?: unknown; dryRun?: boolean } = {}): { uid: string; body: unknown } {
  const uid = `uid-${++uidCounter}`;
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const request = {
    uid,
    kind: { group: 'keda.sh', version: 'v1alpha1', kind: object.kind },
    resource: { group: 'keda.sh', version: 'v1alpha1', resource: `${String(object.kind).toLowerCase()}s` },
    name: metadata.name,
    namespace: metadata.namespace,
    operation: options.operation ?? 'CREATE',
    userInfo: { username: 'tester' },
    object,
    oldObject: options.oldObject ?? null,
    dryRun: options.dryRun ?? false,
  };
  return { uid, body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } };
}
