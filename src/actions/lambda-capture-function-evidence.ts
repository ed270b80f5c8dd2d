/**
 * `lambda.capture-function-evidence`: the function's configuration (environment variables included: they may hold
 * secrets, so the evidence store is the place for them, never the journal), its resource policy, function URL,
 * reserved concurrency, aliases and event source mappings, and its deployment package with the package's SHA-256,
 * checked against `CodeSha256`. Evidence first: a later code update would overwrite `$LATEST`.
 * The journal gets only the hashes and sizes.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { defineAction } from './define-action.js';
import { downloadCode } from './lambda-code-download.js';
import {
  LAMBDA_ARN,
  lambdaClient,
  listEventSourceMappings,
  readFunctionUrlAuthType,
  readPolicyStatements,
  readReservedConcurrency,
  resolveFunctionName,
} from './lambda-function-support.js';

/** Zip packages are at most 50 MB uploaded directly and 250 MB unzipped from S3; the default keeps the responder's memory safe. */
const DEFAULT_MAX_CODE_BYTES = 64 * 1024 * 1024;

const InputSchema = z.strictObject({
  // Defaults to the subject's function (a name or an ARN).
  functionName: z.string().optional(),
  // Largest deployment package downloaded (bytes); a larger one is recorded as not downloaded, with its CodeSha256.
  maxCodeBytes: z.number().int().min(1).max(256 * 1024 * 1024).optional(),
});

export type CaptureFunctionEvidenceOutput = {
  functionName: string;
  artefacts: string[];
  code:
    | { status: 'downloaded'; sha256: string; bytes: number; matchesCodeSha256: boolean; codeSha256: string | null }
    | { status: 'too-large'; readBytes: number; maxBytes: number; codeSha256: string | null }
    | { status: 'image'; imageUri: string | null; resolvedImageUri: string | null }
    | { status: 'no-location'; codeSha256: string | null };
};

export const captureFunctionEvidence = defineAction({
  name: 'lambda.capture-function-evidence',
  effect: 'read',
  input: InputSchema,
  description:
    'Record the function’s configuration, resource policy, URL, concurrency, aliases and event source mappings, and ' +
    'download its deployment package (bounded, streamed) with its SHA-256 checked against CodeSha256.',
  permissions: [
    {
      actions: ['lambda:GetFunction', 'lambda:GetPolicy', 'lambda:GetFunctionConcurrency', 'lambda:GetFunctionUrlConfig', 'lambda:ListAliases'],
      resources: [LAMBDA_ARN.function],
      why: 'Read the function, its package location, policy, URL, concurrency and aliases as evidence',
    },
    { actions: ['lambda:ListEventSourceMappings'], resources: ['*'], why: 'ListEventSourceMappings does not support resource-level permissions' },
  ],

  capture: async (): Promise<Json> => null,

  async apply(input, _pre, ctx): Promise<CaptureFunctionEvidenceOutput> {
    const functionName = resolveFunctionName(input, ctx);
    const { sdk, lambda } = await lambdaClient(ctx);
    let fn;
    try {
      fn = await lambda.send(new sdk.GetFunctionCommand({ FunctionName: functionName }));
    } catch (err) {
      throw ctx.fail(`cannot read function ${functionName} in ${ctx.clients.accountId}/${ctx.clients.region}`, err);
    }
    const aliases = await lambda.send(new sdk.ListAliasesCommand({ FunctionName: functionName }));
    const codeSha256 = fn.Configuration?.CodeSha256 ?? null;
    const location = fn.Code?.Location;
    // The pre-signed URL is a credential for the package: it stays out of the evidence and the journal.
    const codeRecord = { RepositoryType: fn.Code?.RepositoryType ?? null, ImageUri: fn.Code?.ImageUri ?? null, ResolvedImageUri: fn.Code?.ResolvedImageUri ?? null };
    const record = {
      capturedAt: ctx.now().toISOString(),
      configuration: fn.Configuration ?? null,
      code: codeRecord,
      tags: fn.Tags ?? {},
      reservedConcurrency: await readReservedConcurrency(ctx, functionName),
      functionUrl: await readFunctionUrlAuthType(ctx, functionName),
      policyStatements: await readPolicyStatements(ctx, functionName),
      aliases: aliases.Aliases ?? [],
      eventSourceMappings: await listEventSourceMappings(ctx, functionName),
    };
    const artefacts = [`lambda-${functionName}.json`];
    await ctx.evidence.put(artefacts[0]!, record);

    let code: CaptureFunctionEvidenceOutput['code'];
    if (fn.Configuration?.PackageType === 'Image' || fn.Code?.ImageUri !== undefined) {
      // A container image: the digest in ResolvedImageUri is the content hash; the image stays in ECR.
      code = { status: 'image', imageUri: fn.Code?.ImageUri ?? null, resolvedImageUri: fn.Code?.ResolvedImageUri ?? null };
    } else if (location === undefined || location === '') {
      code = { status: 'no-location', codeSha256 };
    } else {
      let got;
      try {
        got = await downloadCode(location, input.maxCodeBytes ?? DEFAULT_MAX_CODE_BYTES);
      } catch (err) {
        throw ctx.fail(`cannot download the deployment package of ${functionName}`, err);
      }
      if (got.status === 'too-large') {
        code = { status: 'too-large', readBytes: got.readBytes, maxBytes: got.maxBytes, codeSha256 };
      } else {
        const zip = `lambda-${functionName}-code.zip`;
        await ctx.evidence.put(zip, got.bytes);
        artefacts.push(zip);
        code = { status: 'downloaded', sha256: got.sha256Hex, bytes: got.bytes.byteLength, matchesCodeSha256: codeSha256 === got.sha256Base64, codeSha256 };
      }
    }
    const summary = `lambda-${functionName}-code.json`;
    await ctx.evidence.put(summary, code);
    artefacts.push(summary);
    return { functionName, artefacts, code };
  },
});
