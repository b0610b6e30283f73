// Worker thread of offload.ts: renders the files it is sent, in order, and reports each result on the
// port it was given. After the last job it raises the shared flag the main thread is waiting on.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ValidationCache } from '../validate/cache';
import { renderFile, type FileJob, type RenderedFile } from './render-file';

export type WorkerRequest = { readonly jobs: readonly FileJob[] } | { readonly done: true };
export type WorkerReply = { readonly rendered: RenderedFile } | { readonly error: string };

const { results, flag, known } = workerData as { results: MessagePort; flag: Int32Array; known: readonly string[] };
const cache = new ValidationCache(known);

function finish(): void {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let failed = false;

parentPort!.on('message', (request: WorkerRequest) => {
  if (failed) return;
  try {
    if ('done' in request) {
      finish();
      parentPort!.close();
      return;
    }
    for (const job of request.jobs) {
      results.postMessage({ rendered: renderFile(job, cache) } satisfies WorkerReply);
      Atomics.add(flag, 1, 1); // progress, for the main thread's watchdog
    }
  } catch (e) {
    failed = true;
    results.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerReply);
    finish();
  }
});
