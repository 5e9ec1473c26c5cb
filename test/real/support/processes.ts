import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.ts';

/** The installed command, run the way an operator runs it: `node bin/tenant-portal.js`. */
const CLI = fileURLToPath(new URL('../../../bin/tenant-portal.js', import.meta.url));

/** A one-shot command (migrate, user create, sync, bill) that runs longer than this is killed. */
const COMMAND_TIMEOUT_MS = 120_000;
/** Time `serve` and `worker` get to exit after SIGTERM before they are killed. */
const STOP_GRACE_MS = 20_000;
/** Output kept in memory per long-running process; the log file keeps all of it. */
const MAX_BUFFERED_OUTPUT_CHARS = 4_000_000;

export type Env = Record<string, string>;

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to standard input, which is then closed. */
  stdin?: string;
  /** Program and arguments put in front of `node`, such as `['faketime', '-f', '+1d']`. */
  prefix?: string[];
  /** Appends the command line and its output here. */
  logFile?: string;
}

/** Builds the environment of a child: only PATH and HOME of this process, so no test variable leaks in. */
function childEnv(env: Env): Env {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env };
}

function commandLine(args: string[], prefix: string[]): { file: string; argv: string[] } {
  const full = [...prefix, process.execPath, CLI, ...args];
  return { file: full[0] as string, argv: full.slice(1) };
}

/** Runs `tenant-portal <args>` to its end, killing it after COMMAND_TIMEOUT_MS. */
export function runCli(args: string[], env: Env, options: CommandOptions = {}): Promise<CommandResult> {
  const { file, argv } = commandLine(args, options.prefix ?? []);
  const child = spawn(file, argv, { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });

  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');

  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (options.logFile) appendFileSync(options.logFile, `$ tenant-portal ${args.join(' ')} (exit ${code ?? signal})\n${stdout}${stderr}\n`);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `tenant-portal <args>` and throws with its output unless it exits with status 0. */
export async function runCliOk(args: string[], env: Env, options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCli(args, env, options);
  if (result.code !== 0) {
    throw new Error(`tenant-portal ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${result.stdout}${result.stderr}`);
  }
  return result;
}

/** A `serve` or `worker` process whose output goes to a log file and a bounded buffer. */
export class PortalProcess {
  readonly role: 'serve' | 'worker';
  readonly #child: ChildProcess;
  readonly #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';
  #exited = false;

  private constructor(role: 'serve' | 'worker', env: Env, logFile: string) {
    this.role = role;
    const { file, argv } = commandLine([role], []);
    this.#child = spawn(file, argv, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });

    const record = (chunk: Buffer) => {
      const text = chunk.toString();
      appendFileSync(logFile, text);
      this.#output = (this.#output + text).slice(-MAX_BUFFERED_OUTPUT_CHARS);
    };
    this.#child.stdout?.on('data', record);
    this.#child.stderr?.on('data', record);
    this.#exit = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        this.#exited = true;
        resolve({ code, signal });
      });
    });
  }

  /** Starts `tenant-portal serve` or `tenant-portal worker`. */
  static start(role: 'serve' | 'worker', env: Env, logFile: string): PortalProcess {
    appendFileSync(logFile, `--- tenant-portal ${role} started at ${new Date().toISOString()}\n`);
    return new PortalProcess(role, env, logFile);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return !this.#exited;
  }

  get output(): string {
    return this.#output;
  }

  /** Waits until the process has written a line containing `text`; fails early if it exits. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    await waitUntil(
      `${this.role} to log "${text}"`,
      async () => ({ found: this.#output.includes(text), exited: this.#exited }),
      (state) => state.found || state.exited,
      { timeoutMs },
    );
    if (!this.#output.includes(text)) {
      throw new Error(`${this.role} exited before logging "${text}"; its output ends with:\n${this.#output.slice(-3000)}`);
    }
  }

  /** Sends SIGTERM and waits for the exit, killing the process after STOP_GRACE_MS. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exited) return this.#exit;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    const result = await this.#exit;
    clearTimeout(timer);
    return result;
  }

  /** Sends SIGKILL, as a crash or the OOM killer would, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.#child.kill('SIGKILL');
    await this.#exit;
  }
}
