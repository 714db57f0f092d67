// A real CalDAV server for tests: Debian's Radicale on a free loopback port, with its collections
// in a temporary directory and one user from a plain htpasswd file.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';

import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDebianPackages } from './debianPackages.ts';
import { freePort } from './hubProcess.ts';

export interface Radicale {
  /** The server root, without a trailing slash. */
  url: string;
  username: string;
  password: string;
  /** Basic auth headers of the user, for seeding collections directly. */
  authorization: string;
  close(): Promise<void>;
}

export async function startRadicale(): Promise<Radicale> {
  ensureDebianPackages('/usr/lib/python3/dist-packages/radicale', ['radicale']);
  const dir = await mkdtemp(path.join(tmpdir(), 'radicale-'));
  const username = 'disposition';
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  await writeFile(path.join(dir, 'users'), `${username}:${password}\n`);
  await writeFile(
    path.join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${path.join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      // Radicale sleeps about a second after each failed login by default.
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${path.join(dir, 'collections')}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  // The python3 first on PATH may be another installation without the module.
  const child = spawn('/usr/bin/python3', ['-m', 'radicale', '--config', path.join(dir, 'config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(url, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    username,
    password,
    authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    async close() {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Radicale exited (${child.exitCode}): ${stderr()}`);
    try {
      const answer = await fetch(`${url}/`, { method: 'OPTIONS', signal: AbortSignal.timeout(1_000) });
      await answer.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`Radicale did not start: ${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
