/** ANSI styling that is a no-op unless colour is on (a TTY without NO_COLOR). */
export interface Style {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

export function style(color: boolean): Style {
  const wrap = (code: number) => (s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap(1), red: wrap(31), green: wrap(32), yellow: wrap(33), dim: wrap(2) };
}
