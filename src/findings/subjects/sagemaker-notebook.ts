/**
 * `service.action.awsApiCallAction.affectedResources["AWS::SageMaker::NotebookInstance"]` → a derived
 * `sagemaker-notebook` subject: the notebook instance an API call of the finding acted on (created, started,
 * opened a pre-signed URL to …), by name or ARN. GuardDuty findings have no notebook resource type of their own,
 * and notebook credentials cannot name their notebook (SageMaker calls every notebook's role session `SageMaker`),
 * so this is the one place a finding names a notebook instance. A value that is neither a notebook name nor a
 * notebook-instance ARN is ignored (the subject is derived; the finding itself stays valid).
 */
import type { Subject } from '../model.js';
import { sub } from '../json-path.js';
import { isObject, type JsonObject } from '../record-context.js';
import { otherSubject, type SubjectEnv } from './subject-env.js';

export const NOTEBOOK_RESOURCE_TYPE = 'AWS::SageMaker::NotebookInstance';

const NAME = /^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/;
const ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):notebook-instance\/([a-zA-Z0-9-]{1,63})$/;

export function notebookSubjects(env: SubjectEnv, service: JsonObject | undefined): Subject[] {
  const action = service?.['action'];
  const call = isObject(action) ? action['awsApiCallAction'] : undefined;
  const affected = isObject(call) ? call['affectedResources'] : undefined;
  const value = isObject(affected) ? affected[NOTEBOOK_RESOURCE_TYPE] : undefined;
  if (typeof value !== 'string') return [];
  const m = ARN.exec(value);
  const name = m !== null ? m[3]! : NAME.test(value) ? value : undefined;
  if (name === undefined) return [];
  return [
    otherSubject(
      env,
      'sagemaker-notebook',
      {
        id: name,
        arn: m !== null ? value : undefined,
        name,
        reasons: [{ code: 'sagemaker', detail: `SageMaker notebook instance ${name}` }],
        ...(m !== null ? { region: m[1], accountId: m[2] } : {}),
        derivedFrom: sub(sub(sub(sub('.service', 'action'), 'awsApiCallAction'), 'affectedResources'), NOTEBOOK_RESOURCE_TYPE),
      },
      { notebookInstanceName: name },
    ),
  ];
}
