// A real Dovecot IMAP server on a loopback port, in a temporary folder, for the email tests.
// Runs as root (CI) or as the current user; every service's chroot is cleared because a chroot
// needs privileges a test machine may not grant.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ensureDebianPackages } from './debianPackages.ts';
import { freePort } from './hubProcess.ts';

export interface Dovecot {
  host: string;
  port: number;
  users: Record<string, string>;
  /** Logins of `user` Dovecot refused so far, from its log. */
  failedLogins(user: string): Promise<number>;
  close(): Promise<void>;
}

const chrootedServices = [
  'aggregator',
  'anvil',
  'director',
  'imap-login',
  'imap-urlauth-login',
  'ipc',
  'old-stats',
  'pop3-login',
  'submission-login',
];

export async function startDovecot(users: Record<string, string>): Promise<Dovecot> {
  ensureDebianPackages('/usr/sbin/dovecot', ['dovecot-imapd']);
  const dir = await mkdtemp('/tmp/hub-dovecot-');
  execFileSync('chmod', ['755', dir]);
  const mail = path.join(dir, 'mail');
  mkdirSync(mail);
  const asRoot = process.getuid?.() === 0;
  // As root the mail is owned by Dovecot's own user; mail processes never run as root.
  const owner = asRoot ? idOf('dovecot') : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (asRoot) chownSync(mail, owner.uid, owner.gid);
  const port = await freePort();
  const me = userInfo().username;
  const lines = [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    // Refused logins answer at once; Dovecot's default 2 s delay would only slow the tests.
    'auth_failure_delay = 0',
    `mail_location = maildir:${mail}/%u`,
    'first_valid_uid = 1',
    ...(asRoot
      ? []
      : [`default_internal_user = ${me}`, `default_login_user = ${me}`, `default_internal_group = ${me}`]),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${dir}/users`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = username_format=%u ${dir}/users`,
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    ...chrootedServices.flatMap((service) => [`service ${service} {`, '  chroot =', '}']),
    'namespace inbox {',
    '  inbox = yes',
    '  mailbox Sent {',
    '    special_use = \\Sent',
    '    auto = create',
    '  }',
    '}',
  ];
  writeFileSync(path.join(dir, 'dovecot.conf'), `${lines.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'users'),
    Object.entries(users)
      .map(([user, password]) => `${user}:{PLAIN}${password}:${owner.uid}:${owner.gid}::${mail}/${user}`)
      .join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: 'ignore',
  });
  await waitForPort(port, child, dir);
  return {
    host: '127.0.0.1',
    port,
    users,
    async failedLogins(user) {
      const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
      return log.split('\n').filter((line) => line.includes('auth failed') && line.includes(`user=<${user}>`))
        .length;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function idOf(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', user]).toString().trim()),
  };
}

async function waitForPort(port: number, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`dovecot exited (${child.exitCode}); see ${dir}/dovecot.log`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}
