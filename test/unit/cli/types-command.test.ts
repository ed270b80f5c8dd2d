import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

describe('tourniquet types', () => {
  it('explains an exact type with its parsed grammar', async () => {
    const r = await runCli(['types', 'Backdoor:EC2/C&CActivity.B']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Backdoor:EC2/C&CActivity.B');
    expect(r.out).toContain('known command and control server');
    expect(r.out).toMatch(/resource:\s+EC2 \(resource\.resourceType usually Instance\)/);
    expect(r.out).toMatch(/default severity:\s+High\n/);
    expect(r.out).toMatch(/data source:\s+VPC flow logs/);
    expect(r.out).toMatch(/status:\s+active/);
    expect(r.out).toMatch(/grammar:\s+threat purpose\s+Backdoor/);
    expect(r.out).toMatch(/threat family\s+C&CActivity\n/);
    expect(r.out).toMatch(/mechanism\s+B\n/);
    expect(r.out).toMatch(/artifact\s+—\n/);
  });

  it('says what the mechanism and artifact mean', async () => {
    const dns = await runCli(['types', 'CryptoCurrency:EC2/BitcoinTool.B!DNS']);
    expect(dns.out).toMatch(/artifact\s+DNS \(seen in DNS query logs\)/);
    expect(dns.out).toMatch(/data source:\s+DNS logs/);
    const custom = await runCli(['types', 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom']);
    expect(custom.out).toMatch(/mechanism\s+Custom \(matched one of your own threat lists\)/);
  });

  it('prints JSON for an exact type, including the grammar', async () => {
    const r = await runCli(['types', '--json', 'Impact:IAMUser/PromptInjection.Direct']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out) as Record<string, unknown>;
    expect(info).toMatchObject({
      type: 'Impact:IAMUser/PromptInjection.Direct',
      resource: 'IAMUser',
      defaultSeverity: 'Low',
      defaultBand: 'Low',
      dataSource: 'AI Protection',
      status: 'active',
      usualResourceTypes: ['AccessKey'],
      grammar: { threatPurpose: 'Impact', resourceTypeAffected: 'IAMUser', family: 'PromptInjection', mechanism: 'Direct', artifact: null, custom: false },
    });
  });

  it('lists every type grouped by resource when no pattern is given', async () => {
    const r = await runCli(['types']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^EC2 \(55\)$/m);
    expect(r.out).toMatch(/^Lambda \(9\)$/m);
    expect(r.out).toMatch(/^ {2}TYPE\s+DEFAULT SEVERITY\s+DATA SOURCE\s+STATUS$/m);
    expect(r.out).toMatch(/^ {2}CryptoCurrency:Lambda\/BitcoinTool\.B\s+High\s+Lambda Network Activity Monitoring\s+active$/m);
    expect(r.out).toMatch(/^ {2}UnauthorizedAccess:EC2\/TorIPCaller\s+Medium\s+—\s+retired$/m);
    expect(r.out).toContain('254 type(s).');
  });

  it('lists the matches of a glob, and of a substring', async () => {
    const glob = await runCli(['types', 'Impact:IAMUser/*']);
    expect(glob.code).toBe(0);
    expect(glob.out).toMatch(/^IAMUser \(4\)$/m);
    expect(glob.out).toContain('Impact:IAMUser/CostHarvesting');
    expect(glob.out).not.toContain('Impact:EC2/');

    const json = await runCli(['types', '--json', 'kubeflow']);
    const list = JSON.parse(json.out) as Array<{ type: string }>;
    expect(list.map((t) => t.type)).toEqual(['Policy:Kubernetes/KubeflowDashboardExposed']);
  });

  it('explains the single match of a substring in full', async () => {
    const r = await runCli(['types', 'costharvest']);
    expect(r.out.split('\n')[0]).toBe('Impact:IAMUser/CostHarvesting');
    expect(r.out).toMatch(/data source:\s+AI Protection/);
  });

  it('exits 2 on an unknown type, naming it and its grammar', async () => {
    const r = await runCli(['types', 'Impact:EC2/GpuHijack.Example']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('unknown finding type "Impact:EC2/GpuHijack.Example"');
    expect(r.err).toContain('family GpuHijack');

    const none = await runCli(['types', '--json', 'no-such-thing']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.out)).toEqual([]);
    expect(none.err).toContain('no finding type matches "no-such-thing"');
  });

  it('never echoes terminal control characters from the pattern', async () => {
    const r = await runCli(['types', 'Evil:EC2/\u001b]0;owned\u0007']);
    expect(r.code).toBe(2);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(r.err).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.err).toContain('\\u001b');
  });
});
