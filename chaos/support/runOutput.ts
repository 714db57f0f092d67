// Everything the reliability run said, kept in files under test-output/chaos/output: the logs of
// every hub process, the responses the suite read, events and metrics it fetched. The secret scan
// at the end searches all of it for the secrets the scenarios planted.
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export class RunOutput {
  readonly directory: string;
  readonly #planted = new Set<string>();

  constructor(directory: string) {
    this.directory = directory;
    mkdirSync(directory, { recursive: true });
  }

  /** A file of this run's output, named for what it holds (e.g. `faults-outside-hub-1.log`). */
  file(name: string): string {
    return path.join(this.directory, name.replace(/[^\w.-]+/g, '_'));
  }

  /** Appends text (a response body, an event list, a metrics page) to one of the run's files. */
  append(name: string, text: string): void {
    appendFileSync(this.file(name), text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A secret a scenario gave the hub (credentials, webhook and subscription secrets, tokens). */
  plant(secret: string): void {
    if (secret.length >= 8) this.#planted.add(secret);
  }

  get planted(): string[] {
    return [...this.#planted];
  }

  /** Every file of the run with its text. */
  files(): { name: string; text: string }[] {
    return readdirSync(this.directory).map((name) => ({
      name,
      text: readFileSync(path.join(this.directory, name), 'utf8'),
    }));
  }
}
