/** The check on answers from an endpoint the user gave: a web page or a bare error is not AWS; AWS's XML is. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAwsAnswerCheck } from '../../../src/aws/not-aws-answer.js';

let server: Server;
let endpoint: string;
// What the server answers for the next request.
let answer = { status: 200, type: 'text/html', body: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const s3 = (): S3Client =>
  withAwsAnswerCheck(new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }), endpoint);

describe('withAwsAnswerCheck', () => {
  it('an HTML page is not an AWS answer: the call fails naming the endpoint', async () => {
    answer = { status: 200, type: 'text/html; charset=utf-8', body: '\n<!doctype html><title>Router</title>' };
    const err = await s3().send(new ListObjectsV2Command({ Bucket: 'b' })).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotAnAwsAnswer', message: `the endpoint ${endpoint} answered HTTP 200 with an HTML page, not as AWS: is --endpoint / AWS_ENDPOINT_URL an AWS endpoint (or an emulator such as moto)?` });
  });

  it('XML labelled text/html (as an emulator may send it) is read as the answer', async () => {
    answer = { status: 200, type: 'text/html; charset=utf-8', body: '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>' };
    const out = await s3().send(new ListObjectsV2Command({ Bucket: 'b' }));
    expect(out.Name).toBe('b');
  });

  it('an object that is an HTML page is an object (GetObject is not checked)', async () => {
    answer = { status: 200, type: 'text/html', body: '<html><body>report</body></html>' };
    const out = await s3().send(new GetObjectCommand({ Bucket: 'b', Key: 'report.html' }));
    expect(await out.Body!.transformToString()).toBe('<html><body>report</body></html>');
  });

  it('no endpoint given: nothing is added (AWS itself never answers this way)', () => {
    const client = new S3Client({ region: 'us-east-1' });
    withAwsAnswerCheck(client, undefined);
    expect(client.middlewareStack.identify().some((m) => m.startsWith('tourniquetNotAwsAnswer'))).toBe(false);
  });
});
