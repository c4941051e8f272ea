// KEDA's hello-world queue function, with a little work per message and a receipt on js-queue-done
// (the demo counts receipts by id to prove nothing was lost).
const WORK_MS = Number(process.env.HELLO_WORK_MS ?? 400);

module.exports = async function (context, myQueueItem) {
  context.log('JavaScript queue trigger function processed work item', myQueueItem.id);
  await new Promise((resolve) => setTimeout(resolve, WORK_MS));
  context.bindings.done = { id: myQueueItem.id, replica: process.env.TIDE_REPLICA_INDEX };
};
