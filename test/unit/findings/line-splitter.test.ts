import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/findings/line-splitter.js';

type Event = ['line', number, string] | ['tooLong', number, number];

/** Feeds `chunks` (split wherever the test says) and returns what the sink heard. */
function split(chunks: ReadonlyArray<string | Buffer>, max = 1024): Event[] {
  const events: Event[] = [];
  const s = new LineSplitter(max, {
    line: (text, n) => events.push(['line', n, text]),
    tooLong: (n, bytes) => events.push(['tooLong', n, bytes]),
  });
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return events;
}

describe('LineSplitter', () => {
  it('splits lines inside a chunk and across chunks, keeping \\r and a last line without a newline', () => {
    expect(split(['a\nbc', 'd\r\n', '\n', 'e', 'f', 'g'])).toEqual([
      ['line', 1, 'a'],
      ['line', 2, 'bcd\r'],
      ['line', 3, ''],
      ['line', 4, 'efg'],
    ]);
    expect(split(['x\n'])).toEqual([['line', 1, 'x']]);
    expect(split([])).toEqual([]);
  });

  it('decodes a multi-byte character split between chunks once the line is whole', () => {
    const bytes = Buffer.from('née → ok\n');
    const cut = bytes.indexOf(0xa9); // inside "é"
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([['line', 1, 'née → ok']]);
  });

  it('drops a line over the limit (counting its bytes to the newline) and reads the lines after it', () => {
    const long = 'y'.repeat(5000);
    const chunks = ['ok\n', long.slice(0, 1000), long.slice(1000, 3000), `${long.slice(3000)}\nafter\n`];
    expect(split(chunks, 1024)).toEqual([
      ['line', 1, 'ok'],
      ['tooLong', 2, 5000],
      ['line', 3, 'after'],
    ]);
  });

  it('counts a line exactly at the limit as fine and one byte more as too long, in one chunk or many', () => {
    expect(split([`${'a'.repeat(10)}\n${'b'.repeat(11)}\n`], 10)).toEqual([
      ['line', 1, 'a'.repeat(10)],
      ['tooLong', 2, 11],
    ]);
    expect(split(['aaaaa', 'aaaaa', '\n', 'bbbbbb', 'bbbbb', '\n'], 10)).toEqual([
      ['line', 1, 'a'.repeat(10)],
      ['tooLong', 2, 11],
    ]);
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    const line = 'é'.repeat(400); // 800 bytes
    expect(split([`${line}\n`], 800)).toEqual([['line', 1, line]]);
    expect(split([`${line}\n`], 799)).toEqual([['tooLong', 1, 800]]);
    expect(split([line.slice(0, 150), line.slice(150), '\n'], 799)).toEqual([['tooLong', 1, 800]]);
  });

  it('reports a too-long last line without a newline at the end of the input', () => {
    expect(split(['ok\n', 'z'.repeat(600), 'z'.repeat(600)], 1000)).toEqual([
      ['line', 1, 'ok'],
      ['tooLong', 2, 1200],
    ]);
  });

  it('decodes each line from its own bytes: invalid UTF-8 reads the same whether the line arrives whole or cut anywhere', () => {
    // A lone continuation byte, a cut three-byte character at the end of a line, and a valid one after it.
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0x80]), Buffer.from('b'), Buffer.from([0xe2, 0x82]), Buffer.from('\n€\n')]);
    const whole = split([bytes]);
    expect(whole).toEqual([
      ['line', 1, `a\ufffdb\ufffd`],
      ['line', 2, '€'],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
  });

  it('keeps its own copy of an unfinished line: a producer that reuses its chunk memory does not change it', () => {
    const chunk = Buffer.from('first half ');
    const events: Event[] = [];
    const s = new LineSplitter(1024, { line: (text, n) => events.push(['line', n, text]), tooLong: (n, b) => events.push(['tooLong', n, b]) });
    s.push(chunk);
    chunk.fill(0x78); // the producer overwrites the memory it handed over
    s.push(Buffer.from('second\n'));
    expect(events).toEqual([['line', 1, 'first half second']]);
  });
});
