import type { Worker } from 'node:cluster';
import type { ToPrimary, ToWorker } from './messages';

/** What every worker answers a primary's `stage`, `warm` or `published` with. */
export type WorkerAnswer = Extract<ToPrimary, { stedi: 'staged' | 'warmed' | 'replayed' }>;

/**
 * One message to every listening worker, answered by each: the primary waits
 * for all of them (a rebuild's staging). A worker that exits meanwhile no
 * longer counts; one question at a time.
 */
export class WorkerAnswers {
  private asking?: { answer: WorkerAnswer['stedi']; version: string; waiting: Set<Worker>; answers: WorkerAnswer[]; done: (answers: WorkerAnswer[]) => void };

  /** `worker` answered (or, without `answer`, exited): the question ends once every worker has. */
  answered(worker: Worker, answer?: WorkerAnswer): void {
    const asking = this.asking;
    if (!asking || (answer && (answer.stedi !== asking.answer || answer.version !== asking.version))) return;
    if (answer) asking.answers.push(answer);
    if (asking.waiting.delete(worker) && asking.waiting.size === 0) asking.done(asking.answers);
  }

  /** Sends `message` to `workers` and resolves with their answers of kind `answer` about `version`. */
  ask<A extends WorkerAnswer>(workers: Iterable<Worker>, message: ToWorker, answer: A['stedi'], version: string): Promise<A[]> {
    return new Promise((resolve) => {
      const waiting = new Set(workers);
      if (waiting.size === 0) return resolve([]);
      this.asking = { answer, version, waiting, answers: [], done: (answers) => ((this.asking = undefined), resolve(answers as A[])) };
      for (const worker of waiting) worker.send(message);
    });
  }
}
