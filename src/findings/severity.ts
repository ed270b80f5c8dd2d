/**
 * GuardDuty severity bands (guardduty_findings-severity): Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0.
 * Values between the printed bounds (e.g. 3.95) fall in the lower band: the thresholds are ≥4, ≥7, ≥9.
 */
import type { SeverityBand } from './model.js';

export const SEVERITY_MIN = 1;
export const SEVERITY_MAX = 10;

export function severityBand(severity: number): SeverityBand {
  if (!Number.isFinite(severity)) throw new RangeError(`severity must be a finite number, received ${String(severity)}`);
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}
