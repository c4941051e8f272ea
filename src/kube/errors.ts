// What can go wrong talking to a cluster, as values the CLI turns into messages and exit codes:
// a kubeconfig that cannot be used (the user's input), a cluster that cannot be reached, and an
// answer from the API server that refuses the request (its Status message kept).

/** The kubeconfig is missing, malformed or uses something this client does not support. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** No answer from the API server (connection refused, DNS, TLS, timeout). */
export class KubeUnreachableError extends Error {
  override readonly name = 'KubeUnreachableError';
}

/** The API server answered with an error Status. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
