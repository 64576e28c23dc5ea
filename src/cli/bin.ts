import { main } from './main.ts';

/** the process entry: the only place that reads argv and sets the exit code */
export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
}
