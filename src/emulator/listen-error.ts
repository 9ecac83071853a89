/**
 * {@link EmulatorListenError}: a port of the emulator that cannot be bound, with the option that sets it.
 *
 * @module
 */

/** The emulator options that set a port: `port` for the gRPC API, `httpPort` for the OIDC key server. */
export type EmulatorPortOption = 'port' | 'httpPort';

/**
 * The emulator cannot listen on a port, for example because another process uses it
 * (`EADDRINUSE`). The message names the API option that sets the port, and
 * {@link EmulatorListenError.describe} names another setting, such as a command-line flag.
 */
export class EmulatorListenError extends Error {
  /**
   * @param protocol What listens on the port: `gRPC` or `HTTP`.
   * @param address The address that cannot be bound, as `host:port`.
   * @param option The option that sets the port.
   * @param cause The error of the server that failed to listen.
   */
  constructor(
    readonly protocol: string,
    readonly address: string,
    readonly option: EmulatorPortOption,
    override readonly cause: Error,
  ) {
    super(formatMessage(protocol, address, cause, `the \`${option}\` option`), { cause });
    this.name = 'EmulatorListenError';
  }

  /** Returns the message with `setting` (such as `--port`) as the way to change the port. */
  describe(setting: string): string {
    return formatMessage(this.protocol, this.address, this.cause, setting);
  }
}

function formatMessage(protocol: string, address: string, cause: Error, setting: string): string {
  return `Cannot listen for ${protocol} on ${address}: ${cause.message}. Set ${setting} to another port, or to 0 for any free port.`;
}
