/**
 * Consumer of the `JOBS` queue and of its dead-letter queue. Async generation is not built yet, so
 * no producer sends jobs; a message that arrives anyway is logged and acknowledged, never retried.
 */
export async function handleJobs(batch: MessageBatch<unknown>, _env: Env): Promise<void> {
	for (const message of batch.messages) {
		console.warn(JSON.stringify({ queue: batch.queue, message_id: message.id, note: "no job handler yet; acknowledged" }));
		message.ack();
	}
}
