/**
 * Appends a confirmed-malicious IP address to the responder-managed GuardDuty threat list. The code lives in src
 * (the `guardduty.block-remote-ip` action uses it, and src never imports from infra): the pure list edit in
 * src/lists/threat-list-text.ts, the S3 conditional writes and the ThreatIntelSet re-activation in
 * src/actions/threat-list-object.ts. Re-exported here for the infrastructure code and its tests.
 */
export { appendIpToListText } from '../../src/lists/threat-list-text.js';
export type { AppendOptions, AppendToTextResult } from '../../src/lists/threat-list-text.js';
export { activateThreatIntelSet, appendAndActivate, appendThreatIntelIp, removeThreatIntelIp } from '../../src/actions/threat-list-object.js';
export type {
  AppendAndActivateArgs,
  AppendThreatIntelIpResult,
  ThreatListOptions as AppendThreatIntelIpOptions,
} from '../../src/actions/threat-list-object.js';
