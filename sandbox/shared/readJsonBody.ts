// Reading a whole request body, for sandbox handlers that need it before they can answer.
import type { IncomingMessage } from 'node:http';

export async function readTextBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The parsed body, or undefined when it is empty; a body that is not JSON throws a SyntaxError. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const text = await readTextBody(request);
  return text.trim() === '' ? undefined : JSON.parse(text);
}
