// Objects already known to pass their schema. Synthesis runs on every save, and between two runs almost
// every object is byte-for-byte the same: checking it again gives the same answer, so a run only checks
// the objects it has not seen valid before (and an object that appears in many places is checked once).
//
// The cache is a file of object digests beside the precompiled validators (imports/validators/, generated
// and gitignored). Regenerating the validators replaces that folder, which empties the cache; the file
// name carries a digest of this checking code, so a change to it starts a new cache too. Only objects
// that passed are recorded: an invalid object is reported every time. Reading or writing the cache never
// fails a run: a missing, unreadable or read-only cache means checking everything.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { validateManifest, validatorsDir, type SchemaViolation } from './schema';

/** At most this many digests are kept (about 2.8 MB); the oldest go first. */
const MAX_ENTRIES = 100_000;
const CACHE_FILE = /^\.valid-[0-9a-f]{16}$/;

export class ValidationCache {
  private readonly known: Set<string>;
  private readonly added: string[] = [];

  private constructor(
    private readonly file: string | undefined,
    known: Iterable<string>,
  ) {
    this.known = new Set(known);
  }

  /**
   * The cache of this checkout's validators (or of `dir`); `enabled: false` gives one that remembers
   * nothing.
   */
  public static open(enabled = true, dir?: string): ValidationCache {
    if (!enabled) return new ValidationCache(undefined, []);
    let file: string | undefined;
    try {
      dir ??= validatorsDir();
      if (!fs.existsSync(dir)) return new ValidationCache(undefined, []);
      file = path.join(dir, `.valid-${codeDigest()}`);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return new ValidationCache(file, text.split('\n').filter((l) => l.length === 27));
    } catch {
      return new ValidationCache(file, []);
    }
  }

  /** validateManifest, skipped for an object that passed before. */
  public validate(manifest: Record<string, unknown>): SchemaViolation[] {
    const digest = digestOf(manifest);
    if (this.known.has(digest)) return [];
    const violations = validateManifest(manifest);
    if (violations.length === 0) {
      this.known.add(digest);
      this.added.push(digest);
    }
    return violations;
  }

  /** Whether `manifest` is recorded as valid. */
  public knows(manifest: Record<string, unknown>): boolean {
    return this.known.has(digestOf(manifest));
  }

  /** Writes the digests (atomically; best effort). */
  public save(): void {
    if (this.file === undefined || this.added.length === 0) return;
    try {
      const all = [...this.known];
      const text = `${all.slice(Math.max(0, all.length - MAX_ENTRIES)).join('\n')}\n`;
      const tmp = `${this.file}.${process.pid}-${threadId}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.file);
      // caches of other versions of the checking code
      for (const f of fs.readdirSync(path.dirname(this.file))) {
        if (CACHE_FILE.test(f) && f !== path.basename(this.file)) fs.rmSync(path.join(path.dirname(this.file), f), { force: true });
      }
    } catch {
      // a read-only checkout: the next run checks everything again
    }
  }
}

/** 27 characters of base64 SHA-1 over the object's JSON (key order included: synthesis output is deterministic). */
function digestOf(manifest: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(manifest)).digest('base64').slice(0, 27);
}

/** Digest of the modules whose code decides validity (this file and schema.ts, compiled or not). */
function codeDigest(): string {
  const hash = createHash('sha1');
  const schemaModule = path.join(__dirname, path.basename(__filename).replace(/^cache\./, 'schema.'));
  for (const f of [__filename, schemaModule]) hash.update(fs.readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}
