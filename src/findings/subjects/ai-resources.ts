/**
 * AI Protection: `resource.modelDetails[].modelId` → one `bedrock-model` subject per model (a Bedrock foundation
 * model, inference profile, custom/imported model ARN, or a SageMaker endpoint name, as GuardDuty reports it).
 */
import type { Subject } from '../model.js';
import { otherSubject, type SubjectEnv } from './subject-env.js';

const BEDROCK_ARN = /^arn:[a-z-]+:bedrock:([a-z0-9-]*):(\d*):/;

export function modelSubjects(env: SubjectEnv, modelIds: readonly string[]): Subject[] {
  return modelIds.map((modelId) => {
    const arn = modelId.startsWith('arn:') ? modelId : undefined;
    const m = arn === undefined ? null : BEDROCK_ARN.exec(arn);
    const slash = modelId.lastIndexOf('/');
    return otherSubject(
      env,
      'bedrock-model',
      { id: modelId, arn, name: slash === -1 ? modelId : modelId.slice(slash + 1), region: m !== null && m[1] ? m[1] : undefined },
      { modelId },
    );
  });
}
