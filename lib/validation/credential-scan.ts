import * as fs from 'node:fs';
import * as path from 'node:path';
import { credentialShape } from '../predicates/credentials';
import { Finding } from './finding';

/**
 * Looks through the environment files (what people and pipelines edit, and so where a pasted
 * token lands first) for anything shaped like a credential. One finding per line, naming the
 * file, the line and the kind of credential, never the value.
 */
export function scanEnvironmentFiles(dir: string): Finding[] {
  if (!fs.existsSync(dir)) return [];
  const findings: Finding[] = [];
  // Regular files only: a FIFO would block the read for ever, and synth refuses anything else.
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name);
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    const shown = path.relative(process.cwd(), file).split(path.sep).join('/');
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const shape = credentialShape(line);
        if (!shape) return;
        findings.push({
          rule: 'NO-CREDENTIALS',
          environment: name.replace(/\.ya?ml$/, ''),
          component: '-',
          object: `${shown}:${i + 1}`,
          path: shown,
          message: `line ${i + 1} holds what looks like ${shape}`,
          hint: 'take the credential out of git: keep it in a Secret created out of band and name the Secret in the file instead',
        });
      });
  }
  return findings;
}
