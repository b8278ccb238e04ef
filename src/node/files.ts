import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";

/**
 * A reader for `${file:PATH}` config placeholders (pass it as `readFile` to createBedrock / resolveConfig):
 * `~/` is the home directory, a relative path is taken from `baseDir` (default: the working directory; the
 * CLI passes the config file's directory).
 */
export function fileReader(baseDir?: string): (path: string) => string {
  return (path) => {
    const expanded = path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
    return readFileSync(
      isAbsolute(expanded) ? expanded : resolve(baseDir ?? process.cwd(), expanded),
      "utf8",
    );
  };
}
