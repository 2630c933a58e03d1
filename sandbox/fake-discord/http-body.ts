/**
 * Request bodies as Discord receives them: JSON, or multipart/form-data when files are
 * attached. discord.js sends uploads as `files[N]` parts plus one `payload_json` part holding
 * the rest of the body; the multipart parsing is left to undici's `Request#formData()`.
 */
import type { IncomingMessage } from 'node:http';
import { DiscordErrorCodes, DiscordHttpError } from './discord-errors.js';
import type { RecordedFile } from './recorder.js';

export interface ParsedBody {
  readonly body: unknown;
  readonly files: RecordedFile[];
}

export async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function invalidJson(): DiscordHttpError {
  return new DiscordHttpError({ status: 400, code: DiscordErrorCodes.InvalidJson, violation: 'invalid-form-body' });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    return { body: parseJson(raw.toString('utf8')), files: [] };
  }

  const form = await new Request('http://fake-discord.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType ?? '' },
    body: raw,
  }).formData();

  let body: Record<string, unknown> | undefined;
  const loose: Record<string, unknown> = {};
  const files: RecordedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = parseJson(value) as Record<string, unknown>;
      else loose[field] = value;
      continue;
    }
    files.push({
      field,
      filename: value.name,
      contentType: value.type || 'application/octet-stream',
      data: Buffer.from(await value.arrayBuffer()),
    });
  }
  // Without payload_json, Discord reads plain form fields as the body.
  return { body: body ?? (Object.keys(loose).length > 0 ? loose : undefined), files };
}
