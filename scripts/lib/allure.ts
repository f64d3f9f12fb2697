// allure-commandline (Java) turns allure-results into the HTML report.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export async function generateAllureReport(results: string, out: string, extra: string[] = []): Promise<{ ok: boolean; error?: string }> {
  const bin = join(ROOT, 'node_modules', 'allure-commandline', 'dist', 'bin', 'allure');
  let stderr = '';
  const code = await new Promise<number>((resolve) => {
    const c = spawn(bin, ['generate', results, '-o', out, '--clean', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.resume();
    c.stderr.on('data', (d) => (stderr += String(d)));
    c.on('error', (e) => {
      stderr += e.message;
      resolve(127);
    });
    c.on('close', (x) => resolve(x ?? 1));
  });
  return code === 0 ? { ok: true } : { ok: false, error: stderr.trim().split('\n').pop() || `allure exited ${code}` };
}
