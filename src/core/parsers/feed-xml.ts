import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ImportFormatError, type ImportFormat } from './import-result.js';

/**
 * XML → plain object for the arXiv feeds. Options and why:
 * - removeNSPrefix: elements are read by local name (`primary_category`, `creator`,
 *   `announce_type`), so a feed re-serialised with other prefixes (ElementTree writes `ns0:`) reads the same.
 * - parseTagValue off: ids like "1706.03762" and counts stay strings until we decide.
 * - htmlEntities: in fast-xml-parser 5 it is what turns on numeric character references
 *   (`&#233;` → é), which XML requires; the named HTML entities it adds never occur in valid XML.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: true,
});

export type XmlNode = Record<string, unknown>;

/**
 * Parse a whole feed. The parser on its own is lenient (a truncated file yields half a tree), so
 * the document is validated first: broken XML is an ImportFormatError naming line and column.
 */
export function parseFeedXml(xml: string, format: ImportFormat, expected: string): XmlNode {
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ImportFormatError(format, expected, 'the input is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { code, msg, line, col } = valid.err;
    // For unclosed elements the validator says "Invalid '[ "feed", "entry" ]' found." at 1:1.
    const unclosed = code === 'InvalidXml' ? [...msg.matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
    const detail = unclosed.length
      ? `the document ends inside <${unclosed.at(-1)}>, truncated?`
      : `XML error at line ${line}, column ${col}: ${msg}`;
    throw new ImportFormatError(format, expected, detail);
  }
  const doc: unknown = parser.parse(text);
  if (!isNode(doc)) throw new ImportFormatError(format, expected, 'empty document');
  return doc;
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an element whether it came out as a string or as `{ '#text', ...attributes }`. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = textOf(v);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}

/** An attribute of an element node, e.g. `<category term="cs.CL"/>` → attr(node, 'term'). */
export function attr(value: unknown, name: string): string | undefined {
  if (!isNode(value)) return undefined;
  const v = value[name];
  return typeof v === 'string' ? v : undefined;
}

/** Child elements of one name as a list, whether the document had none, one or many. */
export function children(node: XmlNode, name: string): unknown[] {
  const v = node[name];
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}
