// "A message was just enqueued here": the real host wakes its queue listeners at once when an output
// binding of the same host writes to their queue, instead of letting them sleep out a back-off. This
// is that signal, in process, keyed by the queue's URL.

type Waker = () => void;

const wakers = new Map<string, Set<Waker>>();

/** The key of a queue: its account endpoint URL (no SAS) and its lower-case name. */
export function queueKey(endpointUrl: string, queueName: string): string {
  return `${endpointUrl}/${queueName.toLowerCase()}`;
}

/** Calls `wake` whenever this process enqueues to the queue; returns the unsubscribe function. */
export function onQueueWrite(key: string, wake: Waker): () => void {
  let set = wakers.get(key);
  if (!set) {
    set = new Set();
    wakers.set(key, set);
  }
  set.add(wake);
  return () => {
    const current = wakers.get(key);
    current?.delete(wake);
    if (current?.size === 0) wakers.delete(key);
  };
}

/** Tells the listeners of the queue that a message was enqueued. */
export function notifyQueueWrite(key: string): void {
  for (const wake of wakers.get(key) ?? []) wake();
}
