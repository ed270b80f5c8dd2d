/**
 * One kind of resource `tourniquet drill` can build a finding for: how to read the real resource and turn it into a
 * GuardDuty `resource` (and `service.action`). Adding a kind = one file in kinds/ and one line in drill-kinds.ts.
 */
import type { AWS_HTTP_TIMEOUTS } from '../aws/http-timeouts.js';

export interface DrillContext {
  readonly accountId: string;
  readonly region: string;
  /** SDK client configuration (Region, endpoint, socket timeouts). */
  readonly config: { readonly region: string; readonly endpoint?: string; readonly requestHandler: typeof AWS_HTTP_TIMEOUTS };
  readonly type: string;
}

export interface DrillResource {
  /** For the title and the stable finding id. */
  readonly label: string;
  readonly resource: Record<string, unknown>;
  readonly action?: Record<string, unknown>;
  readonly resourceRole?: 'ACTOR' | 'TARGET';
  readonly featureName?: string;
}

export interface DrillKind {
  readonly kind: string;
  /** What `<id>` is, for help and errors. */
  readonly idHelp: string;
  readonly defaultType: string;
  /** `ResourceTypeAffected` segments of the catalogue types this kind's finding can carry (`EC2`, `Runtime` …). */
  readonly typeResources: readonly string[];
  /** A usage error's message when `id` is not well-formed, else undefined. */
  checkId(id: string): string | undefined;
  read(id: string, ctx: DrillContext): Promise<DrillResource>;
}
