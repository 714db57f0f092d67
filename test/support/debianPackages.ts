// The real servers the tests run against (Dovecot, Radicale, PHP's SoapServer) and the browser the
// dashboard tests drive (Chromium) come from Debian's packages. `.ci/run` installs them up front;
// this makes a plain `npm test` on a new machine work too.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let updated = false;

/** Installs the packages unless `file` (a path the packages provide) is already there. */
export function ensureDebianPackages(file: string, packages: string[]): void {
  if (existsSync(file)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    updated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: 'ignore' });
  if (!existsSync(file)) throw new Error(`installing ${packages.join(', ')} did not provide ${file}`);
}
