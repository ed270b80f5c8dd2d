/**
 * The CLI's playbook options: --playbook-options (JSON) and the EC2 shortcut flags map onto the same options,
 * validated once; a bad value is a usage error naming the flag and the value typed.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { playbookOptionsFromFlags } from '../../../src/cli/playbook-option-flags.js';
import { addRuntimeOptions, type RuntimeFlags } from '../../../src/cli/runtime.js';
import { UsageError } from '../../../src/errors.js';

const parse = (args: string[]): RuntimeFlags => addRuntimeOptions(new Command('respond').exitOverride()).parse(args, { from: 'user' }).opts<RuntimeFlags>();
const options = (args: string[]) => playbookOptionsFromFlags(parse(args));

describe('playbook options on the command line', () => {
  it('none given: none (every playbook uses its defaults)', () => {
    expect(options([])).toEqual({});
  });

  it('the shortcut flags and --playbook-options give one options map', () => {
    expect(
      options([
        '--isolation-settle-seconds', '2.5',
        '--replacement-profile-arn', 'arn:aws:iam::111122223333:instance-profile/forensics',
        '--blocklist', 's3://findings-bucket/lists/responder-blocklist.txt', '--detector-id', 'det0123', '--threat-intel-set-id', 'set0123',
        '--playbook-options', '{"ec2-instance": {"autoScalingMethod": "detach"}}',
      ]),
    ).toEqual({
      'ec2-instance': {
        autoScalingMethod: 'detach',
        isolationSettleSeconds: 2.5,
        replacementProfileArn: 'arn:aws:iam::111122223333:instance-profile/forensics',
        blocklist: { bucket: 'findings-bucket', key: 'lists/responder-blocklist.txt', detectorId: 'det0123', threatIntelSetId: 'set0123' },
      },
    });
  });

  it('a bad value is a usage error naming the flag and what was typed', () => {
    const fails = (args: string[], message: string) => {
      expect(() => options(args), args.join(' ')).toThrow(UsageError);
      expect(() => options(args), args.join(' ')).toThrow(message);
    };
    fails(['--isolation-settle-seconds', 'ten'], '--isolation-settle-seconds must be a number of seconds from 0 to 600, received "ten"');
    fails(['--isolation-settle-seconds', '601'], '--isolation-settle-seconds must be a number of seconds from 0 to 600, received "601"');
    fails(['--replacement-profile-arn', 'arn:aws:iam::111122223333:role/x'], '--replacement-profile-arn must be an instance-profile ARN, received "arn:aws:iam::111122223333:role/x"');
    fails(['--playbook-options', '{"ec2-instance": {"isolationSettleSecs": 5}}'], '--playbook-options: ec2-instance: unknown key "isolationSettleSecs" (did you mean "isolationSettleSeconds"?)');
    fails(['--playbook-options', 'isolationSettleSeconds=5'], '--playbook-options must be JSON');
  });

  it('an option given both ways is a usage error (which one was meant?)', () => {
    expect(() => options(['--isolation-settle-seconds', '3', '--playbook-options', '{"ec2-instance": {"isolationSettleSeconds": 5}}'])).toThrow(
      'ec2-instance.isolationSettleSeconds given both in --playbook-options and by --isolation-settle-seconds: give it once',
    );
  });
});
