/**
 * ARN variables of the Bedrock and SageMaker resource types a recorded call names (for iam-requests.ts): which input
 * field carries the resource, and the variable its ARN format uses. Bedrock takes a name or an ARN; an ARN's id is
 * the part after `<type>/`.
 */
const FIELDS: Readonly<Record<string, { readonly keys: readonly string[]; readonly variable: string }>> = {
  'model-customization-job': { keys: ['jobIdentifier'], variable: 'ResourceId' },
  'model-invocation-job': { keys: ['jobIdentifier'], variable: 'JobIdentifier' },
  'provisioned-model': { keys: ['provisionedModelId'], variable: 'ResourceId' },
  endpoint: { keys: ['EndpointName'], variable: 'EndpointName' },
  'endpoint-config': { keys: ['EndpointConfigName'], variable: 'EndpointConfigName' },
  'training-job': { keys: ['TrainingJobName'], variable: 'TrainingJobName' },
  'processing-job': { keys: ['ProcessingJobName'], variable: 'ProcessingJobName' },
  'transform-job': { keys: ['TransformJobName'], variable: 'TransformJobName' },
  'hyper-parameter-tuning-job': { keys: ['HyperParameterTuningJobName'], variable: 'HyperParameterTuningJobName' },
};

/** The ARN variables for `type` from the call's input; undefined when the type is not one of these. */
export function aiResourceVariables(type: string, input: Record<string, unknown>, base: Record<string, string>): Record<string, string> | undefined {
  const field = FIELDS[type];
  if (field === undefined) return undefined;
  for (const key of field.keys) {
    const v = input[key];
    if (typeof v !== 'string' || v === '') continue;
    const marker = `:${type}/`;
    const id = v.startsWith('arn:') && v.includes(marker) ? v.slice(v.indexOf(marker) + marker.length) : v;
    return { ...base, [field.variable]: id };
  }
  return undefined;
}
