/**
 * The kubectl commands for the Kubernetes-API steps: names from the finding are attacker-controlled. Valid names are
 * single-quoted; invalid ones yield no command but a refusal line; and running the commands in a real shell (with
 * kubectl, jq and aws replaced by stubs that log their arguments) shows a malicious name arrives as one argument and
 * executes nothing.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordonNodeStep, isolatePodStep, kubeconfigStep, kubernetesName, QUARANTINE_LABEL, removeBindingStep, shellQuote } from '../../../src/playbooks/kubectl-commands.js';

const CASE = 'inc-20261203-0a1b2c3d4e5f';

/** Runs `script` with sh, kubectl/jq/aws stubbed to log each argument (NUL-separated) and read stdin. */
function runInShell(script: string): { argv: string[][]; stdin: string[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-kubectl-'));
  for (const tool of ['kubectl', 'jq', 'aws']) {
    const stub = join(dir, tool);
    writeFileSync(stub, `#!/bin/sh\nf="${dir}/argv.$(date +%s%N).$$"; printf '%s\\0' ${tool} "$@" > "$f"\nif [ ! -t 0 ]; then cat >> "${dir}/stdin"; fi\necho node-1\n`);
    chmodSync(stub, 0o755);
  }
  execFileSync('/bin/sh', ['-c', script], { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir }, input: '' });
  // One file per stub process (a pipeline runs them at once), named by start time: sequential commands keep their order.
  const argv = readdirSync(dir)
    .filter((f) => f.startsWith('argv.'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8').split('\0').filter((x) => x !== ''));
  const stdin = existsSync(join(dir, 'stdin')) ? [readFileSync(join(dir, 'stdin'), 'utf8')] : [];
  return { argv, stdin, dir };
}

const MALICIOUS = [`x'; touch PWNED; echo '`, '$(touch PWNED)', '`touch PWNED`', 'a\ntouch PWNED', 'a"; touch PWNED; "'];

describe('shellQuote', () => {
  it.each(MALICIOUS)('keeps %j one literal argument', (value) => {
    const { argv, dir } = runInShell(`kubectl ${shellQuote(value)}`);
    expect(argv).toEqual([['kubectl', value]]);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });
});

describe('Kubernetes name syntax', () => {
  it('accepts real names and refuses what Kubernetes refuses', () => {
    expect(kubernetesName.namespace('ml-serving')).toBe(true);
    expect(kubernetesName.namespace('kube-system')).toBe(true);
    expect(kubernetesName.namespace('ML')).toBe(false);
    expect(kubernetesName.namespace('a'.repeat(64))).toBe(false);
    expect(kubernetesName.pod('triton-debug-7d9f8.abc')).toBe(true);
    expect(kubernetesName.pod("x';rm")).toBe(false);
    expect(kubernetesName.node('ip-10-0-1-2.ec2.internal')).toBe(true);
    expect(kubernetesName.rbac('system:controller:evil')).toBe(true);
    expect(kubernetesName.rbac('a/b')).toBe(false);
    expect(kubernetesName.rbac('..')).toBe(false);
    expect(kubernetesName.labelValue(CASE)).toBe(true);
    expect(kubernetesName.user('arn:aws:sts::111122223333:assumed-role/r/s')).toBe(true);
    expect(kubernetesName.user('bad\u001b[2J')).toBe(false);
  });
});

describe('the steps', () => {
  it('isolate-pod: labels the pod and applies a deny-all policy on the quarantine label, run in a shell exactly', () => {
    const step = isolatePodStep({ namespace: 'ml-serving', pod: 'triton-debug', caseId: CASE });
    expect(step.refused).toBeUndefined();
    const { argv, stdin } = runInShell(step.commands!.join('\n'));
    expect(argv).toEqual([
      ['kubectl', '-n', 'ml-serving', 'label', 'pod', 'triton-debug', `${QUARANTINE_LABEL}=${CASE}`, '--overwrite'],
      ['kubectl', '-n', 'ml-serving', 'apply', '-f', '-'],
    ]);
    expect(JSON.parse(stdin[0]!)).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `tourniquet-quarantine-${CASE}` },
      spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: CASE } }, policyTypes: ['Ingress', 'Egress'] },
    });
    // One line per command: notifications print them as lines.
    for (const c of step.commands!) expect(c).not.toContain('\n');
  });

  it.each(MALICIOUS)('isolate-pod refuses a malicious namespace or pod %j: no command, a reason', (bad) => {
    for (const p of [{ namespace: bad, pod: 'p' }, { namespace: 'ns', pod: bad }]) {
      const step = isolatePodStep({ ...p, caseId: CASE });
      expect(step.commands).toBeUndefined();
      expect(step.refused).toMatch(/is not a Kubernetes (namespace|pod) name/);
    }
  });

  it('cordon-node: the node of the pod, read from its spec, double-quoted; never a drain', () => {
    const step = cordonNodeStep({ namespace: 'ml-serving', pod: 'triton-debug', caseId: CASE });
    expect(step.commands!.join('\n')).not.toMatch(/drain/);
    const { argv } = runInShell(step.commands!.join('\n'));
    expect(argv).toEqual([
      ['kubectl', '-n', 'ml-serving', 'get', 'pod', 'triton-debug', '-o', 'jsonpath={.spec.nodeName}'],
      ['kubectl', 'cordon', 'node-1'],
    ]);
    expect(cordonNodeStep({ namespace: 'n', pod: 'p', node: 'ip-10-0-1-2.ec2.internal', caseId: CASE }).commands).toEqual([`kubectl cordon 'ip-10-0-1-2.ec2.internal'`]);
    expect(cordonNodeStep({ namespace: 'n', pod: 'p', node: '$(touch PWNED)', caseId: CASE }).refused).toMatch(/node name/);
  });

  it.each(MALICIOUS)('remove-rogue-binding: a malicious user name %j reaches jq as one argument and runs nothing', (user) => {
    const step = removeBindingStep({ username: user.replace('\n', ' ') });
    const { argv, dir } = runInShell(step.commands!.join('\n'));
    // A pipeline: the two stubs may log in either order.
    expect(argv.find((a) => a[0] === 'kubectl')).toEqual(['kubectl', 'get', 'clusterrolebindings,rolebindings', '-A', '-o', 'json']);
    const jq = argv.find((a) => a[0] === 'jq')!;
    expect(jq.slice(0, 5)).toEqual(['jq', '-r', '--arg', 'u', user.replace('\n', ' ')]);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });

  it('remove-rogue-binding: the binding the attacker created is saved, then deleted; a bad binding name is refused', () => {
    const step = removeBindingStep({ username: 'eve', binding: { kind: 'clusterrolebinding', name: 'system:evil-admin' } });
    const { argv } = runInShell(step.commands!.join('\n'));
    expect(argv.slice(2)).toEqual([
      ['kubectl', 'get', 'clusterrolebinding', 'system:evil-admin', '-o', 'yaml'],
      ['kubectl', 'delete', 'clusterrolebinding', 'system:evil-admin'],
    ]);
    const bad = removeBindingStep({ username: 'eve', binding: { kind: 'clusterrolebinding', name: 'a/../b' } });
    expect(bad.refused).toMatch(/binding name "a\/..\/b" is not a Kubernetes RBAC object name/);
    expect(bad.commands!.join('\n')).not.toMatch(/delete/);
    expect(removeBindingStep({ username: 'bad\u001bname' }).refused).toMatch(/user name/);
  });

  it('kubeconfig: quoted cluster and Region; a malicious cluster name is refused', () => {
    expect(kubeconfigStep({ cluster: 'genai-inference', region: 'us-east-1' }).commands).toEqual([`aws eks update-kubeconfig --name 'genai-inference' --region 'us-east-1'`]);
    expect(kubeconfigStep({ cluster: '$(reboot)', region: 'us-east-1' }).refused).toMatch(/cluster name/);
  });
});
