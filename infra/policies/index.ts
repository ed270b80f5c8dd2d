/**
 * The Tourniquet CrossGuard policy pack: `pulumi preview --policy-pack infra/policies` (needs the Pulumi CLI).
 * This is the only module that constructs the PolicyPack: importing it starts the policy gRPC server, so tests
 * import the policies from all-policies.ts instead.
 */
import { PolicyPack } from '@pulumi/policy';
import { TOURNIQUET_POLICIES } from './all-policies.js';

new PolicyPack('tourniquet', { policies: [...TOURNIQUET_POLICIES] });
