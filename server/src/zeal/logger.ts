// The logging the bridge needs: pino's `(object, message)` form, so the server's logger fits.

export interface ZealLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that discards everything (the default when none is given). */
export const silentLogger: ZealLogger = { debug() {}, info() {}, warn() {}, error() {} };
