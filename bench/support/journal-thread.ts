/**
 * Benchmark support (a diagnostic, `bench:burst --journal-thread`): the same DynamoDB emulator the embedded journal
 * runs (dynalite, in memory, tables active at once), in a worker thread of this process instead of on its main
 * thread, so the engine's event loop no longer serves the journal's requests itself. It measures what moving the
 * embedded journal off the main thread would give; the engine is unchanged.
 */
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJournal } from '../../src/journal/dynamo-journal.js';
import type { Journal } from '../../src/journal/journal.js';
import { DEFAULT_TABLE_NAME } from '../../src/journal/table-layout.js';
import { TOURNIQUET_USER_AGENT } from '../../src/aws/user-agent.js';

const SERVER = `
const { parentPort } = require('node:worker_threads');
const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/**
 * The embedded journal as src/journal/open-journal.ts opens it (same client settings, exclusive: no other process
 * holds leases in it), its emulator in a worker thread.
 */
export async function openJournalInThread(): Promise<Journal> {
  const worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (p: number) => resolve(p));
    worker.once('error', reject);
  });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'tourniquet-embedded', secretAccessKey: 'tourniquet-embedded' },
    customUserAgent: TOURNIQUET_USER_AGENT,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 30_000 },
  });
  return new DynamoJournal({ client, tableName: DEFAULT_TABLE_NAME, onClose: async () => void (await worker.terminate()), exclusive: true, ownsClient: true });
}
