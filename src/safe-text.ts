/**
 * Finding text (titles, user agents, paths) is attacker-controlled: before it reaches a terminal, an e-mail or a
 * chat message, control characters (terminal escapes, newlines that forge extra lines) become spaces.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function stripControlCharacters(s: string): string {
  return s.replace(CONTROL, ' ');
}
