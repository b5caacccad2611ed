import { describe, expect, it } from 'vitest';
import { correlationHeaders, fromHeaderValue, toHeaderValue } from '../../adapters/correlation.js';

describe('correlation headers', () => {
  it('carry any text as printable ASCII and come back as written', () => {
    for (const text of ['低保复核（入户调查）', 'review 100%', 'case-intake', '窗口-07', 'x😀y', 'a%20b literally']) {
      const header = toHeaderValue(text);
      expect(header).toMatch(/^[\x20-\x7e]*$/);
      expect(fromHeaderValue(header)).toBe(text);
    }
  });

  it('never throw on text that has no UTF-8 (a lone surrogate becomes U+FFFD)', () => {
    expect(toHeaderValue('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(() => correlationHeaders({ requestId: 'r', operator: '\udc00', purpose: 'p' })).not.toThrow();
  });

  it('read a client header: percent-decoded when it is percent-encoding, kept when not, control characters dropped, bounded', () => {
    expect(fromHeaderValue('%E4%BD%8E%E4%BF%9D')).toBe('低保');
    expect(fromHeaderValue('100% sure')).toBe('100% sure'); // not percent-encoding
    expect(fromHeaderValue('a%0Ab')).toBe('ab');
    expect(fromHeaderValue('x'.repeat(300))).toHaveLength(128);
    expect(fromHeaderValue(['first', 'second'])).toBe('first');
    expect(fromHeaderValue('   ')).toBeUndefined();
    expect(fromHeaderValue(undefined)).toBeUndefined();
  });
});
