/**
 * UTF-16 text with a byte order mark, read as the UTF-8 the parsers expect. Windows PowerShell 5.1 writes UTF-16LE with
 * a BOM when output is redirected (`aws guardduty get-findings … > findings.json`), and such a file is valid JSON
 * (RFC 8259 allows UTF-16; only UTF-8 is required between systems). Without a BOM the encoding is not guessed: the
 * bytes are read as UTF-8 and a parse error says where they stop being JSON.
 */

/** The encoding the byte order mark at the start of `head` names, if it is UTF-16's. */
export function utf16Encoding(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A whole buffer: UTF-16 with a BOM decoded, anything else as UTF-8. */
export function decodeText(bytes: Buffer): string {
  const encoding = utf16Encoding(bytes);
  return encoding === undefined ? bytes.toString('utf8') : new TextDecoder(encoding).decode(bytes);
}

/** UTF-16 chunks (the first one starting with the BOM) as UTF-8 chunks; a code unit split across chunks is kept whole. */
export async function* utf16ToUtf8(encoding: 'utf-16le' | 'utf-16be', chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // The decoder drops the BOM and turns an odd trailing byte or a lone surrogate into U+FFFD, as it does for UTF-8.
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield Buffer.from(rest, 'utf8');
}
