import type { ApiSchema } from './api-schema';
import type { BenchServer } from './server';

/**
 * Back-to-back rebuilds through the API: `rebuildZones`, then `rebuildJob`
 * polled until the job ends, then the next one, until stopped. A failed
 * rebuild is counted, and the loop goes on.
 */
export class RebuildLoop {
  succeeded = 0;
  failed = 0;
  private running?: Promise<void>;
  private stopping = false;
  private error?: unknown;

  constructor(
    private readonly server: BenchServer,
    private readonly schema: ApiSchema,
    private readonly pollMs = 100,
  ) {}

  start(): void {
    this.stopping = false;
    // Kept, not thrown: an API error must not become an unhandled rejection; stop() reports it.
    this.running = this.loop().catch((error: unknown) => {
      this.error = error;
    });
  }

  /** Stops after the rebuild in progress ends; throws if the loop itself failed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    if (this.error) throw this.error;
  }

  /** One rebuild through the API, polled to its end; returns the job's final state (SUCCEEDED, FAILED, …). */
  async rebuildOnce(): Promise<string> {
    const mutationType = this.schema.mutationType();
    const job = this.schema.fieldType(mutationType, 'rebuildZones');
    const idType = this.schema.argType(this.schema.query, 'rebuildJob', 'id');
    const start = `mutation { rebuildZones { id state } }`;
    const poll = `query Job($id: ${idType}) { rebuildJob(id: $id) { id state${this.schema.hasField(job, 'error') ? ' error' : ''} } }`;
    const { rebuildZones } = await this.server.graphql<{ rebuildZones: { id: string; state: string } }>(start);
    let state = rebuildZones.state;
    while (state === 'QUEUED' || state === 'RUNNING') {
      await new Promise((r) => setTimeout(r, this.pollMs));
      const { rebuildJob } = await this.server.graphql<{ rebuildJob: { state: string } | null }>(poll, { id: rebuildZones.id });
      state = rebuildJob?.state ?? 'FAILED';
    }
    return state;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if ((await this.rebuildOnce()) === 'SUCCEEDED') this.succeeded += 1;
      else this.failed += 1;
    }
  }
}
