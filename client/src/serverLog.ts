/**
 * The server's stderr lines at their own level in the output channel (no `vscode`
 * import: unit tested). The server logs `<date> <time> LEVEL logger: message`; the
 * language client would otherwise show every stderr line as an error.
 */

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

const LEVELS: Record<string, LogLevel> = {
  DEBUG: "debug",
  INFO: "info",
  WARNING: "warn",
  ERROR: "error",
  CRITICAL: "error",
};

const LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;

/** Reads one stderr line; a line without a level (a traceback) keeps the previous one. */
export class ServerLogReader {
  private level: LogLevel = "error";

  read(line: string): { level: LogLevel; text: string } {
    const match = LINE.exec(line);
    if (match) {
      this.level = LEVELS[match[1]];
      return { level: this.level, text: match[2] };
    }
    return { level: this.level, text: line };
  }
}
