// Vitest global set-up: the dashboard is built once from the sources as they are now, before any
// test file runs, so browser tests never see an older build nor one being rewritten under them.
import { execFileSync } from 'node:child_process';

export default function buildDashboard(): void {
  execFileSync('npm', ['run', 'build:web'], { stdio: 'ignore' });
}
