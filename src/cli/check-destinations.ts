/**
 * Checks every place a command will write to (the embedded journal's folder, the evidence folder or bucket) before the
 * journal is opened: a run that journals an incident and then cannot write its evidence leaves the incident stranded
 * with every step planned. Nothing is created here; a folder that does not exist yet must be creatable (its nearest
 * existing ancestor a writable folder).
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { UsageError } from '../errors.js';

/** Why `dir` cannot be used as a writable folder, or undefined when it can. */
export async function unwritableFolderReason(dir: string): Promise<string | undefined> {
  let path = resolve(dir);
  let missing = false;
  for (;;) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const parent = dirname(path);
        if (parent === path) return 'no part of the path exists';
        missing = true;
        path = parent;
        continue;
      }
      // ENOTDIR: some part of the path is a file.
      return code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : `cannot be read (${code ?? String(err)})`;
    }
    if (!info.isDirectory()) {
      return missing ? `it cannot be created: ${JSON.stringify(path)} is a file, not a folder` : 'it is a file, not a folder';
    }
    try {
      await access(path, constants.W_OK | constants.X_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      return missing ? `it cannot be created: ${JSON.stringify(path)} is not writable (${code})` : `it is not writable (${code})`;
    }
    return undefined;
  }
}

/**
 * Why a file already in folder `dir` cannot be written, or undefined. The embedded journal (LevelDB) rewrites the
 * files of its folder: one this user cannot write (a journal made by another user, in a folder shared with this one)
 * would otherwise fail inside the store, after the lock was taken, as an uncaught error with a stack trace.
 */
export async function unwritableFileReason(dir: string): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined; // not there yet (it will be created), or unreadable: the folder check named that
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    try {
      await access(join(dir, e.name), constants.R_OK | constants.W_OK);
    } catch (err) {
      return `it holds ${JSON.stringify(e.name)}, which this user cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'}); run as the user that owns the journal`;
    }
  }
  return undefined;
}

export interface Destinations {
  /** Embedded journal folder; undefined for a DynamoDB table or an in-memory journal. */
  readonly journalPath?: string;
  /** Local evidence folder, or undefined when evidence goes to S3. */
  readonly evidenceDir?: string;
  /** Evidence bucket, when evidence goes to S3, with the client the responder will use. */
  readonly evidenceBucket?: { readonly bucket: string; readonly s3: S3Client };
}

/** Throws UsageError naming the flag and the value for the first destination that cannot be written. */
export async function checkDestinations(d: Destinations): Promise<void> {
  for (const [flag, dir] of [
    ['--evidence-dir', d.evidenceDir],
    ['--journal-path', d.journalPath],
  ] as const) {
    if (dir === undefined) continue;
    const reason = (await unwritableFolderReason(dir)) ?? (flag === '--journal-path' ? await unwritableFileReason(dir) : undefined);
    if (reason !== undefined) throw new UsageError(`${flag} ${JSON.stringify(dir)} cannot hold ${flag === '--evidence-dir' ? 'evidence' : 'the journal'}: ${reason}`);
  }
  if (d.evidenceBucket !== undefined) {
    const { bucket, s3 } = d.evidenceBucket;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || awsErrorName(err) === 'NotFound' || awsErrorName(err) === 'NoSuchBucket') {
        throw new UsageError(`--evidence-s3: bucket ${JSON.stringify(bucket)} does not exist`);
      }
      // A role allowed to put evidence objects may lack s3:ListBucket (HeadBucket answers 403): that must not block
      // a response; the evidence writes themselves will tell. Anything else (no credentials, no network) stops here.
      if (status !== 403) throw wrapAwsError('s3', 'HeadBucket', err);
    }
  }
}

/**
 * What a CLI run will write, from its flags. An in-memory journal (`plan`) persists nothing, so nothing can be
 * stranded: no check (and no AWS call).
 */
export function destinationsFor(
  flags: { readonly journalPath?: string; readonly journalTable?: string; readonly evidenceDir?: string; readonly evidenceS3?: string },
  stateDir: string,
  s3: () => S3Client,
): Destinations {
  const journalPath = flags.journalTable ? undefined : (flags.journalPath ?? `${stateDir}/journal`);
  if (journalPath === ':memory:') return {};
  const bucket = flags.evidenceS3 === undefined ? undefined : /^s3:\/\/([^/]+)/.exec(flags.evidenceS3)?.[1];
  return {
    ...(journalPath !== undefined ? { journalPath } : {}),
    ...(bucket !== undefined ? { evidenceBucket: { bucket, s3: s3() } } : { evidenceDir: flags.evidenceDir ?? `${stateDir}/cases` }),
  };
}
