import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RealCloudSettings } from './settings.ts';

const execFileAsync = promisify(execFile);

/** One `openstack` command, `--wait` included, that runs longer than this is killed. */
const OPENSTACK_COMMAND_TIMEOUT_MS = 150_000;

/**
 * Runs the `openstack` CLI (Debian package python3-openstackclient) as the member of the bound
 * project, the way an administrator changes a server outside the portal. Returns standard output.
 * A non-zero exit throws with the CLI's message.
 */
export async function openstack(settings: RealCloudSettings, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('openstack', ['--os-cloud', settings.memberCloud, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', OS_CLIENT_CONFIG_FILE: settings.cloudsFile },
      timeout: OPENSTACK_COMMAND_TIMEOUT_MS,
    });
    return stdout.trim();
  } catch (error) {
    const failed = error as { code?: unknown; stderr?: string; message: string };
    if (failed.code === 'ENOENT') {
      throw new Error('the openstack CLI is not installed; install the Debian package python3-openstackclient', { cause: error });
    }
    throw new Error(`openstack ${args.join(' ')} failed: ${failed.stderr?.trim() || failed.message}`, { cause: error });
  }
}
