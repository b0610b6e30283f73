// Schema checks and YAML writing are most of the cost of a large synthesis (npm run bench), and they
// need nothing but each file's own objects. On a large bundle they run in a worker thread while the
// main thread goes on building and rendering the next clusters and then runs the cross-cluster rules:
// on two cores that takes them off the critical path. The result is the same either way; small bundles
// stay in the main thread, where starting a worker would cost more than it saves.
//
// synthesize() is synchronous (the CLI, the cdk8s plugin and the tests call it so), so the main thread
// collects the worker's results synchronously: it blocks on a shared flag (Atomics.wait) that the worker
// raises after the last file, then drains the result port (receiveMessageOnPort).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './offload-worker';
import { ValidationCache } from '../validate/cache';
import { renderFile, type FileJob, type RenderedFile } from './render-file';

export interface Offload {
  /** Queues a file; its result comes back from finish(), in the order files were added. */
  add(job: FileJob): void;
  finish(): RenderedFile[];
  /** Stops the work (after an error elsewhere); finish() must not be called afterwards. */
  abort(): void;
}

/** Bundles with at least this many objects (estimated) use a worker thread. */
export const OFFLOAD_MIN_OBJECTS = 2000;

/** How long the main thread waits for the worker without any progress before giving up. */
const STALL_MS = 120_000;

export interface OffloadOptions {
  /** Where the work runs; by default a worker thread for large bundles only. */
  readonly where?: 'inline' | 'worker';
  /** Digests of objects that passed their schema in an earlier run: not checked again (validate/cache.ts). */
  readonly known?: readonly string[];
}

function inlineOffload(known: readonly string[]): Offload {
  const cache = new ValidationCache(known);
  const out: RenderedFile[] = [];
  return { add: (job) => void out.push(renderFile(job, cache)), finish: () => out, abort: () => undefined };
}

/**
 * A worker-backed offload, or the inline one when a worker does not pay (small bundle, one CPU) or
 * cannot run (sources executed directly, as under vitest: the worker is the compiled offload-worker.js).
 */
export function offloadFor(estimatedObjects: number, options: OffloadOptions = {}): Offload {
  const workerFile = path.join(__dirname, 'offload-worker.js');
  const known = options.known ?? [];
  // MERIDIAN_OFFLOAD=inline|worker overrides the size rule (tests, measurements).
  const fromEnv = process.env.MERIDIAN_OFFLOAD;
  const where = options.where ?? (fromEnv === 'inline' || fromEnv === 'worker' ? fromEnv : undefined);
  const worthIt = where === 'worker' || (where === undefined && estimatedObjects >= OFFLOAD_MIN_OBJECTS && os.availableParallelism() > 1);
  if (!worthIt || !fs.existsSync(workerFile)) return inlineOffload(known);
  return workerOffload(workerFile, known);
}

function workerOffload(workerFile: string, known: readonly string[]): Offload {
  const flag = new Int32Array(new SharedArrayBuffer(8)); // [0] done, [1] files rendered so far
  const { port1: results, port2: workerEnd } = new MessageChannel();
  // A larger young generation: the worker allocates many short-lived strings and AST nodes.
  const worker = new Worker(workerFile, { workerData: { results: workerEnd, flag, known }, transferList: [workerEnd], resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  worker.unref(); // never keeps the process alive, whatever happens to the main thread
  let pending: FileJob[] = [];
  let sent = 0;
  const send = (request: WorkerRequest): void => worker.postMessage(request);
  const flush = (): void => {
    if (pending.length === 0) return;
    send({ jobs: pending });
    sent += pending.length;
    pending = [];
  };
  return {
    add(job) {
      pending.push(job);
      if (pending.length >= 16) flush();
    },
    finish() {
      flush();
      send({ done: true });
      let progress = Atomics.load(flag, 1);
      let since = Date.now();
      while (Atomics.wait(flag, 0, 0, 1000) === 'timed-out') {
        const now = Atomics.load(flag, 1);
        if (now !== progress) {
          progress = now;
          since = Date.now();
        } else if (Date.now() - since > STALL_MS) {
          void worker.terminate();
          throw new Error(`the synthesis worker stopped responding after ${progress} of ${sent} files`);
        }
      }
      const out: RenderedFile[] = [];
      for (let m = receiveMessageOnPort(results); m !== undefined; m = receiveMessageOnPort(results)) {
        const reply = m.message as WorkerReply;
        if ('error' in reply) {
          void worker.terminate();
          throw new Error(`the synthesis worker failed: ${reply.error}`);
        }
        out.push(reply.rendered);
      }
      results.close();
      if (out.length !== sent) throw new Error(`the synthesis worker returned ${out.length} of ${sent} files`);
      return out;
    },
    abort() {
      results.close();
      void worker.terminate();
    },
  };
}
