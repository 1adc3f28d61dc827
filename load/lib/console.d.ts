// k6 gives scripts a console (its lines go to k6's log), but @types/k6 does not declare one.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
