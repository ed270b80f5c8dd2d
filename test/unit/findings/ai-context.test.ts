import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { acceleratorReason, DEFAULT_AI_TAG_KEYS, instanceFamily, tagReasons } from '../../../src/findings/ai-context.js';
import type { AiReason, Finding, Tag } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { finding, instanceDetails } from './finding-fixtures.js';

function reasonsFor(tags: Tag[], keys: readonly string[] = DEFAULT_AI_TAG_KEYS): AiReason[] {
  const out: AiReason[] = [];
  tagReasons(tags, keys, out);
  return out;
}

describe('accelerator instance families', () => {
  it.each([
    ['p2.xlarge', 'p2'],
    ['p3dn.24xlarge', 'p3dn'],
    ['p4d.24xlarge', 'p4d'],
    ['p4de.24xlarge', 'p4de'],
    ['p5.48xlarge', 'p5'],
    ['p5en.48xlarge', 'p5en'],
    ['p6-b200.48xlarge', 'p6-b200'],
    ['g3s.xlarge', 'g3s'],
    ['g4dn.xlarge', 'g4dn'],
    ['g4ad.xlarge', 'g4ad'],
    ['g5.12xlarge', 'g5'],
    ['g5g.xlarge', 'g5g'],
    ['g6e.xlarge', 'g6e'],
    ['gr6.4xlarge', 'gr6'],
    ['inf1.xlarge', 'inf1'],
    ['inf2.48xlarge', 'inf2'],
    ['trn1.32xlarge', 'trn1'],
    ['trn1n.32xlarge', 'trn1n'],
    ['trn2.48xlarge', 'trn2'],
    ['dl1.24xlarge', 'dl1'],
    ['dl2q.24xlarge', 'dl2q'],
    ['ml.p4d.24xlarge', 'p4d'],
  ])('%s is an accelerator (family %s)', (type, family) => {
    expect(instanceFamily(type)).toBe(family);
    expect(acceleratorReason(type)).toEqual({ code: 'accelerator-instance', detail: `instance type ${type} (family ${family})` });
  });

  it.each(['m5.large', 't3.micro', 'c7g.xlarge', 'r6i.2xlarge', 'vt1.3xlarge', 'f1.2xlarge', 'f2.6xlarge', 'g2.2xlarge', 'p1.xlarge', 'i4i.large', 'gp', 'm3.xlarge', 'inf3.xlarge', 'x2gd.large'])(
    '%s is not an accelerator',
    (type) => {
      expect(acceleratorReason(type)).toBeUndefined();
    },
  );
});

describe('AI tags', () => {
  it('default keys, case-insensitive, with their evidence', () => {
    expect(reasonsFor([{ key: 'AI-Workload', value: 'yes' }])).toEqual([{ code: 'ai-tag', detail: 'tag AI-Workload=yes (rule ai-workload)' }]);
    expect(reasonsFor([{ key: 'tourniquet:ai', value: 'true' }])).toEqual([{ code: 'ai-tag', detail: 'tag tourniquet:ai=true (rule tourniquet:ai)' }]);
    expect(reasonsFor([{ key: 'sagemaker:project-name', value: 'churn' }])).toEqual([{ code: 'ai-tag', detail: 'tag sagemaker:project-name=churn (rule sagemaker:*)' }]);
  });

  it('a key no rule can match is remembered per list of keys, not for other lists', () => {
    const custom = ['team=ml-.*'];
    // Seen first under the default keys (where no rule names it), then under a list where it matches.
    expect(reasonsFor([{ key: 'Team', value: 'ml-research' }])).toEqual([]);
    expect(reasonsFor([{ key: 'Team', value: 'ml-research' }])).toEqual([]);
    expect(reasonsFor([{ key: 'Team', value: 'ml-research' }], custom)).toEqual([{ code: 'ai-tag', detail: 'tag Team=ml-research (rule team)' }]);
    expect(reasonsFor([{ key: 'Team', value: 'web' }], custom)).toEqual([]);
    expect(reasonsFor([{ key: 'Team', value: 'ml-research' }], custom)).toEqual([{ code: 'ai-tag', detail: 'tag Team=ml-research (rule team)' }]);
    // SageMaker-managed tags always count, however often seen.
    for (let i = 0; i < 2; i++) expect(reasonsFor([{ key: 'aws:sagemaker:domain-arn', value: 'd' }])).toEqual([{ code: 'sagemaker', detail: 'SageMaker-managed tag aws:sagemaker:domain-arn=d' }]);
  });

  it('an explicit "no" does not count', () => {
    for (const value of ['false', 'No', '0', 'off', 'none', 'disabled']) expect(reasonsFor([{ key: 'ai-workload', value }])).toEqual([]);
  });

  it('generic keys count only with an AI/ML value, word-bounded', () => {
    expect(reasonsFor([{ key: 'workload-type', value: 'LLM-inference' }])).toHaveLength(1);
    expect(reasonsFor([{ key: 'workload', value: 'ml' }])).toHaveLength(1);
    expect(reasonsFor([{ key: 'workload-type', value: 'training' }])).toHaveLength(1);
    expect(reasonsFor([{ key: 'workload-type', value: 'html-frontend' }])).toEqual([]);
    expect(reasonsFor([{ key: 'workload', value: 'email' }])).toEqual([]);
    expect(reasonsFor([{ key: 'purpose', value: 'web' }])).toEqual([]);
  });

  it('SageMaker-managed aws:sagemaker:* tags give the sagemaker reason', () => {
    expect(reasonsFor([{ key: 'aws:sagemaker:domain-arn', value: 'arn:x' }])).toEqual([{ code: 'sagemaker', detail: 'SageMaker-managed tag aws:sagemaker:domain-arn=arn:x' }]);
  });

  it('GPU node-group autoscaler tags', () => {
    expect(reasonsFor([{ key: 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu', value: '8' }])).toHaveLength(1);
  });

  it('unrelated tags do not count', () => {
    expect(reasonsFor([{ key: 'Name', value: 'ai-box' }, { key: 'team', value: 'ml-platform' }, { key: 'aiworkload', value: 'x' }])).toEqual([]);
  });

  it('configured keys replace the defaults (exact, prefix, value pattern)', () => {
    const keys = ['gpu-pool', 'ml.team/*', 'stack=^(?:rag|embeddings)$'];
    expect(reasonsFor([{ key: 'ai-workload', value: 'yes' }], keys)).toEqual([]);
    expect(reasonsFor([{ key: 'GPU-Pool', value: 'a' }], keys)).toEqual([{ code: 'ai-tag', detail: 'tag GPU-Pool=a (rule gpu-pool)' }]);
    expect(reasonsFor([{ key: 'ml.team/owner', value: 'x' }], keys)).toEqual([{ code: 'ai-tag', detail: 'tag ml.team/owner=x (rule ml.team/*)' }]);
    expect(reasonsFor([{ key: 'stack', value: 'RAG' }], keys)).toHaveLength(1);
    expect(reasonsFor([{ key: 'stack', value: 'ragtime' }], keys)).toEqual([]);
  });

  it('through the parser: ParseOptions.aiTagKeys applies to subjects; a bad pattern is a UsageError', () => {
    const input = finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ tags: [{ key: 'gpu-pool', value: 'a' }] }) });
    expect((parseRecord(input, { name: 't' }) as Finding).subjects[0]!.ai.isAi).toBe(false);
    const f = parseRecord(input, { name: 't' }, { aiTagKeys: ['gpu-pool'] }) as Finding;
    expect(f.subjects[0]!.ai).toEqual({ isAi: true, reasons: [{ code: 'ai-tag', detail: 'tag gpu-pool=a (rule gpu-pool)' }] });
    expect(() => parseRecord(input, { name: 't' }, { aiTagKeys: ['x=('] })).toThrow(UsageError);
    expect(() => parseRecord(input, { name: 't' }, { aiTagKeys: [''] })).toThrow(UsageError);
  });
});

describe('other AI evidence on instances', () => {
  it('Deep Learning AMI, SageMaker instance profile; finding-type reasons (Kubeflow, Bedrock logging, SageMaker segment)', () => {
    const f = parseRecord(
      finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ imageDescription: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.3', iamInstanceProfile: { arn: 'arn:aws:iam::1:instance-profile/SageMakerNotebook' } }) }),
      { name: 't' },
    ) as Finding;
    expect(f.subjects[0]!.ai.reasons).toEqual([
      { code: 'ml-artifact', detail: 'AMI Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.3' },
      { code: 'sagemaker', detail: 'instance profile arn:aws:iam::1:instance-profile/SageMakerNotebook' },
    ]);
    const k = parseRecord(finding({ type: 'Policy:Kubernetes/KubeflowDashboardExposed' }, { resourceType: 'EKSCluster', eksClusterDetails: { name: 'c' } }), { name: 't' }) as Finding;
    expect(k.subjects[0]!.ai.reasons).toEqual([{ code: 'ml-artifact', detail: 'finding type Policy:Kubernetes/KubeflowDashboardExposed (Kubeflow)' }]);
    const b = parseRecord(finding({ type: 'DefenseEvasion:IAMUser/BedrockLoggingDisabled' }, { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIA1' } }), { name: 't' }) as Finding;
    expect(b.subjects[0]!.ai.reasons).toEqual([{ code: 'bedrock', detail: 'finding type DefenseEvasion:IAMUser/BedrockLoggingDisabled' }]);
  });
});
