// Objects already known to pass their schema. Synthesis runs on every save, and between two runs almost
// every object is byte-for-byte the same: checking it again gives the same answer, so a run only checks
// the objects it has not seen valid before (and an object that appears in many places is checked once).
//
// ValidationCache is the in-memory set a synthesis checks against (in the main thread or the worker).
// The record that carries it from run to run is a file of object digests in the cache folder
// (src/lib/cache-dir.ts: never inside the installation), read and written by main.ts only. The file
// name carries a digest of this checking code and of the validators' index, so regenerated validators
// or changed checking code start a new record. Only objects that passed are
// recorded: an invalid object is reported every time. Reading or writing the record never fails a run:
// a missing, unreadable or read-only record means checking everything.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { validateManifest, validatorsDir, type SchemaViolation } from './schema';

/** At most this many digests are kept (about 2.8 MB); the oldest go first. */
const MAX_ENTRIES = 100_000;
const RECORD_FILE = /^\.valid-[0-9a-f]{16}$/;

export class ValidationCache {
  private readonly known: Set<string>;
  private readonly fresh: string[] = [];

  /** `known`: digests of objects that passed before (a record's). */
  public constructor(known: Iterable<string> = []) {
    this.known = new Set(known);
  }

  /** validateManifest, skipped for an object that passed before. */
  public validate(manifest: Record<string, unknown>): SchemaViolation[] {
    const digest = digestOf(manifest);
    if (this.known.has(digest)) return [];
    const violations = validateManifest(manifest);
    if (violations.length === 0) {
      this.known.add(digest);
      this.fresh.push(digest);
    }
    return violations;
  }

  /** Whether `manifest` is known to be valid. */
  public knows(manifest: Record<string, unknown>): boolean {
    return this.known.has(digestOf(manifest));
  }

  /** Digests of the objects found valid by this cache (not known before), in order. */
  public added(): readonly string[] {
    return this.fresh;
  }
}

/** The record of a checkout: its file (undefined when there is no validators folder) and the digests it holds. */
export interface ValidationRecord {
  readonly file: string | undefined;
  readonly known: readonly string[];
}

/** Reads the record kept in the cache folder `dir` (the validators' own folder when not given). */
export function readValidationRecord(dir?: string): ValidationRecord {
  let file: string | undefined;
  try {
    const validators = validatorsDir();
    if (!fs.existsSync(validators)) return { file: undefined, known: [] };
    file = path.join(dir ?? validators, `.valid-${codeDigest(validators)}`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    return { file, known: text.split('\n').filter((l) => l.length === 27) };
  } catch {
    return { file, known: [] };
  }
}

/** Adds digests to a record (atomically; best effort) and removes the records of other checking code. */
export function writeValidationRecord(record: ValidationRecord, added: readonly string[]): void {
  if (record.file === undefined || added.length === 0) return;
  try {
    const all = [...new Set([...record.known, ...added])];
    const text = `${all.slice(Math.max(0, all.length - MAX_ENTRIES)).join('\n')}\n`;
    fs.mkdirSync(path.dirname(record.file), { recursive: true });
    const tmp = `${record.file}.${process.pid}-${threadId}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, record.file);
    const dir = path.dirname(record.file);
    for (const f of fs.readdirSync(dir)) {
      if (RECORD_FILE.test(f) && f !== path.basename(record.file)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // an unwritable cache folder: the next run checks everything again
  }
}

/** 27 characters of base64 SHA-1 over the object's JSON (key order included: synthesis output is deterministic). */
function digestOf(manifest: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(manifest)).digest('base64').slice(0, 27);
}

/** Digest of the modules whose code decides validity (this file and schema.ts, compiled or not) and of the validators' index. */
function codeDigest(validators: string): string {
  const hash = createHash('sha1');
  const index = path.join(validators, 'index.json');
  if (fs.existsSync(index)) hash.update(fs.readFileSync(index));
  const schemaModule = path.join(__dirname, path.basename(__filename).replace(/^cache\./, 'schema.'));
  for (const f of new Set([__filename, schemaModule])) hash.update(fs.readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}
