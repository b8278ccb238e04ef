import type { Logger } from "../client/log.ts";

const REDACTED = "[redacted]";

/**
 * A logger that removes every secret the proxy knows (caller tokens, the upstream key, AWS secrets and session
 * tokens) from each line, whatever field it arrives in: an upstream that echoes a credential into its request
 * id or error text cannot put it in the log.
 */
export function scrubbingLogger(target: Logger, secrets: () => Iterable<string>): Logger {
  const clean = (text: string) => {
    for (const secret of secrets())
      if (secret.length >= 4 && text.includes(secret)) text = text.split(secret).join(REDACTED);
    return text;
  };
  const line =
    (level: keyof Logger) =>
    (message: string, data?: unknown): void => {
      let out = data;
      if (data !== undefined) {
        const json = JSON.stringify(data) ?? "";
        const scrubbed = clean(json);
        if (scrubbed !== json) {
          try {
            out = JSON.parse(scrubbed);
          } catch {
            out = scrubbed;
          }
        }
      }
      target[level](clean(message), out);
    };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
