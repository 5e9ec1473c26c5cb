/** OS_* variables that select or tune a cloud without defining one (openstacksdk's list). */
const SELECTOR_VARIABLES = new Set(['OS_CLOUD', 'OS_REGION_NAME', 'OS_CLIENT_CONFIG_FILE', 'OS_CLIENT_SECURE_FILE', 'OS_CLOUD_NAME']);

/** Prefixes that test tools use under OS_ and that openstacksdk ignores. */
const IGNORED_PREFIXES = ['OS_TEST', 'OS_STD', 'OS_LOG'];

/**
 * Builds a raw cloud from OS_* variables the way openstacksdk does: OS_FOO_BAR becomes the key
 * `foo_bar`, so OS_USERNAME, OS_PROJECT_NAME, OS_AUTH_URL, OS_AUTH_TYPE, OS_INTERFACE,
 * OS_CACERT and so on work unchanged. OS_INSECURE maps to `insecure`. Returns undefined when
 * only selector variables (OS_CLOUD, OS_REGION_NAME, ...) are set.
 */
export function cloudFromEnvironment(env: Record<string, string | undefined>): Record<string, unknown> | undefined {
  const raw: Record<string, unknown> = {};
  let definesCloud = false;

  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('OS_') || value === undefined) {
      continue;
    }
    if (IGNORED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      continue;
    }

    raw[name.slice('OS_'.length).toLowerCase()] = value;
    if (!SELECTOR_VARIABLES.has(name)) {
      definesCloud = true;
    }
  }

  return definesCloud ? raw : undefined;
}
