/**
 * The input of the steps that stop what a principal created: the resources the activity lookup listed (its output,
 * passed by reference: `{ "$ref": "<lookup step>.output.resources" }`). Validated again here, as every step input
 * is; each action re-checks the identifiers it acts on against AWS's formats before any call.
 */
import { z } from 'zod';
import { TourniquetError } from '../errors.js';
import { AI_RESOURCE_FAMILIES, type AiResource, type AiResourceFamily } from './ai-activity-events.js';

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

export const AiResourceSchema = z.object({
  family: z.enum(AI_RESOURCE_FAMILIES),
  region: z.string().regex(REGION, { error: 'an AWS Region such as eu-west-1' }),
  id: z.string().min(1).max(2048),
  arn: z.string().max(2048).optional(),
  name: z.string().max(256).optional(),
  eventName: z.string().max(128),
  eventTime: z.string().max(64),
  eventId: z.string().max(128),
  detail: z.record(z.string(), z.string().max(2048)).optional(),
});

/** A reference to an earlier step's output, as the plan holds it (the engine resolves it before the step runs). */
const StepRefSchema = z.strictObject({ $ref: z.string().regex(/^[a-z0-9-]+\.output\.[A-Za-z0-9.]+$/, { error: 'a step output reference' }) });

export const AiResourcesInputSchema = z.strictObject({
  // The reference form is what a release sees: it restores from the pre-image and never resolves references.
  resources: z.union([z.array(AiResourceSchema).max(1000), StepRefSchema]),
});

export type AiResourcesInput = z.input<typeof AiResourcesInputSchema>;

/** The plan input that hands the steps the lookup step's resources. */
export function lookupResourcesRef(lookupStepId: string): { resources: { $ref: string } } {
  return { resources: { $ref: `${lookupStepId}.output.resources` } };
}

/**
 * The resources of the given families, in the order the lookup listed them. An unresolved reference here means the
 * engine did not resolve it (a bug, or a release path): never treated as "no resources".
 */
export function ofFamilies(resources: z.output<typeof AiResourcesInputSchema>['resources'], families: readonly AiResourceFamily[]): AiResource[] {
  if (!Array.isArray(resources)) throw new TourniquetError('action.definition', `the resources reference ${resources.$ref} was not resolved before the step ran`);
  return resources.filter((r) => families.includes(r.family)) as AiResource[];
}
