/**
 * commander's own errors (an unknown option or command, a missing argument) as the one `tourniquet: …` line every
 * other error is: commander writes `error: unknown option '--reasn'` and its did-you-mean on a second line.
 */
import { stripControlCharacters } from '../safe-text.js';

export function commanderErrorLine(text: string): string {
  const parts = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const joined = parts.join(' ').replace(/^error: /, '');
  return `tourniquet: ${stripControlCharacters(joined)}\n`;
}
