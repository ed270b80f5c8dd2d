/**
 * Artefact and case names come partly from findings (resource ids, timestamps), so they are sanitized before they
 * become file paths or S3 keys: no traversal (`..`), no absolute paths, no control characters, no hidden files, a small
 * safe alphabet, bounded length. The manifest's own names (`manifest.jsonl`, `manifest/`) are never handed out.
 */
import { TourniquetError, describeValue } from '../errors.js';

const MAX_SEGMENT = 120;
const MAX_SEGMENTS = 8;
const UNSAFE = /[^A-Za-z0-9._\-+=@,]/g;
// C0 and C1 control characters, DEL, and Unicode line/paragraph separators (matching them is the point).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function cleanSegment(segment: string): string {
  let s = segment.replace(UNSAFE, '_');
  if (s.startsWith('.')) s = `_${s.slice(1)}`; // no hidden files, no `.` / `..`
  if (s.length > MAX_SEGMENT) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    s = s.slice(0, MAX_SEGMENT - ext.length) + ext;
  }
  return s;
}

/** A safe relative path with `/` separators. */
export function sanitizeArtefactName(raw: string): string {
  const segments = raw
    .replace(CONTROL, '')
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map(cleanSegment)
    .filter((s) => s !== '');
  if (segments.length === 0) return 'artefact';
  // Deep paths are folded into the last allowed level rather than dropped.
  if (segments.length > MAX_SEGMENTS) segments.splice(MAX_SEGMENTS - 1, segments.length, segments.slice(MAX_SEGMENTS - 1).join('_'));
  const first = (segments[0] as string).toLowerCase();
  if (first === 'manifest' || first === 'manifest.jsonl') segments[0] = `_${segments[0] as string}`;
  return segments.map((s) => (s.length > MAX_SEGMENT ? cleanSegment(s) : s)).join('/');
}

/** True when `name` is exactly what sanitizeArtefactName would produce (used to reject tampered manifest names). */
export function isSafeArtefactName(name: string): boolean {
  return sanitizeArtefactName(name) === name;
}

/** A case id as one safe path segment / key part. */
export function sanitizeCaseId(caseId: string): string {
  const s = cleanSegment(caseId.replace(CONTROL, '').replace(/[\\/]/g, '_'));
  if (s === '' || /^_*$/.test(s)) throw new TourniquetError('evidence.case-id', `not a usable case id: ${describeValue(caseId)}`);
  return s;
}

/** `steps/x/result.json` → `steps/x/result-2.json` (the suffix goes before the extension of the last segment). */
export function withSuffix(name: string, n: number): string {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const file = name.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${dir}${file.slice(0, dot)}-${n}${file.slice(dot)}` : `${dir}${file}-${n}`;
}

function splitForSuffix(name: string): { stem: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const file = name.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 ? { stem: name.slice(0, slash + 1 + dot), ext: file.slice(dot) } : { stem: name, ext: '' };
}

/** What every suffixed variant of `name` starts with (`steps/x/result` for `steps/x/result.json`): a listing prefix. */
export function suffixStem(name: string): string {
  return splitForSuffix(name).stem;
}

/** 1 when `candidate` is `name`, n when it is `withSuffix(name, n)`, undefined otherwise. */
export function suffixNumber(name: string, candidate: string): number | undefined {
  if (candidate === name) return 1;
  const { stem, ext } = splitForSuffix(name);
  if (!candidate.startsWith(`${stem}-`) || !candidate.endsWith(ext)) return undefined;
  const digits = candidate.slice(stem.length + 1, candidate.length - ext.length);
  return /^[1-9]\d{0,15}$/.test(digits) && Number(digits) >= 2 ? Number(digits) : undefined;
}
