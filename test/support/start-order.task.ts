/**
 * A worker task for the queue-order test (src/common/worker-pool.spec.ts): takes a ticket from a
 * counter every worker shares as it starts, then keeps its thread busy for `busyMs`.
 */
export default function startOrder({
  counter,
  busyMs,
}: {
  counter: Int32Array;
  busyMs: number;
}): number {
  const ticket = Atomics.add(counter, 0, 1);
  const until = Date.now() + busyMs;
  while (Date.now() < until);
  return ticket;
}
