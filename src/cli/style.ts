// Terminal styling. Colours only when the stream is a terminal, NO_COLOR is unset and TERM is not "dumb";
// FORCE_COLOR forces them on (NO_COLOR still wins). No cursor movement anywhere: output stays append-only.

export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  cyan(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  magenta(text: string): string;
}

export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string) => text;

export function createStyle(color: boolean): Style {
  const pick = (open: number, close: number) => (color ? sgr(open, close) : plain);
  return {
    color,
    bold: pick(1, 22),
    dim: pick(2, 22),
    cyan: pick(36, 39),
    green: pick(32, 39),
    yellow: pick(33, 39),
    red: pick(31, 39),
    magenta: pick(35, 39),
  };
}
