import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addRuntimeOptions, blocklistFlags, type RuntimeFlags } from '../../../src/cli/runtime.js';
import { UsageError } from '../../../src/errors.js';

const parse = (args: string[]): RuntimeFlags => addRuntimeOptions(new Command('respond').exitOverride()).parse(args, { from: 'user' }).opts<RuntimeFlags>();

describe('--blocklist / --detector-id / --threat-intel-set-id', () => {
  it('gives the EC2 playbook its blocklist when all three are given', () => {
    const flags = parse(['--blocklist', 's3://findings-bucket/lists/responder-blocklist.txt', '--detector-id', 'det0123', '--threat-intel-set-id', 'set0123']);
    expect(blocklistFlags(flags)).toEqual({ bucket: 'findings-bucket', key: 'lists/responder-blocklist.txt', detectorId: 'det0123', threatIntelSetId: 'set0123' });
  });

  it('is off when none is given', () => {
    expect(blocklistFlags(parse([]))).toBeUndefined();
  });

  it('is a usage error when only some are given', () => {
    for (const args of [
      ['--blocklist', 's3://b-1/k'],
      ['--detector-id', 'det0123'],
      ['--blocklist', 's3://b-1/k', '--threat-intel-set-id', 'set0123'],
    ]) {
      expect(() => blocklistFlags(parse(args)), args.join(' ')).toThrow(UsageError);
      expect(() => blocklistFlags(parse(args))).toThrow(/give all three or none/);
    }
  });

  it('is a usage error when a value is malformed, showing it', () => {
    const all = (blocklist: string, detector = 'det0123', set = 'set0123') => parse(['--blocklist', blocklist, '--detector-id', detector, '--threat-intel-set-id', set]);
    expect(() => blocklistFlags(all('findings-bucket/key'))).toThrow(/--blocklist must look like s3:\/\/bucket\/key, received "findings-bucket\/key"/);
    expect(() => blocklistFlags(all('s3://findings-bucket/'))).toThrow(UsageError);
    expect(() => blocklistFlags(all('s3://b-1/k', 'det 1'))).toThrow(/--detector-id must be a GuardDuty detector id, received "det 1"/);
    expect(() => blocklistFlags(all('s3://b-1/k', 'det1', ''))).toThrow(/--threat-intel-set-id/);
  });
});
