/**
 * A policy rule's playbook options reach the actions end to end against moto_server: with `autoScalingMethod:
 * detach` the instance leaves its group (not standby), and with `replacementProfileArn` the forensic profile is
 * swapped in (not removed), both read back from the emulator; the decision records the rule's options.
 */
import { CreateInstanceProfileCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/engine-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a rule\'s playbook options, end to end', () => {
  it('change how the instance is contained, as the rule says', async () => {
    const fleet = await h.seed('rule-options');
    const forensic = await h.clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'forensics' }));
    const forensicArn = forensic.InstanceProfile!.Arn!;
    const policy = [
      'version: 1',
      'rules:',
      '  - name: gpu-crypto',
      '    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }',
      '    mode: contain',
      '    options:',
      '      autoScalingMethod: detach',
      `      replacementProfileArn: ${forensicArn}`,
      '',
    ].join('\n');
    const { responder } = await h.engine({ policy });
    const outcome = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    expect(outcome.decision.playbookOptions).toEqual({ autoScalingMethod: 'detach', replacementProfileArn: forensicArn });
    const status = Object.fromEntries(outcome.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({ 'leave-auto-scaling': 'done', 'replace-instance-profile': 'done', 'isolate-network': 'done' });

    const after = await h.state(fleet, outcome.incidentId);
    // Detached: no longer a member of the group at all (the default, standby, keeps it in the group).
    expect(after.autoScaling).toBeUndefined();
    expect(after.instanceProfileArn).toBe(forensicArn);
  });
});
