import { waitUnlessAborted } from '../transport/sleep.ts';
import type { KeystoneToken } from './keystone.ts';

/** Margin before expiry at which the client re-authenticates; half the token's life is used if that is shorter. */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export interface TokenManagerOptions {
  refreshMarginMs?: number;
  now?: () => number;
}

/**
 * Holds the current Keystone token. All callers that need a new token share one in-flight
 * authentication, so a burst of expired or rejected requests causes a single POST /v3/auth/tokens.
 */
export class TokenManager {
  private current: KeystoneToken | undefined;
  private issuedAtMs = 0;
  private inFlight: Promise<KeystoneToken> | undefined;
  private authentications = 0;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;

  constructor(
    private readonly issue: () => Promise<KeystoneToken>,
    options: TokenManagerOptions = {},
  ) {
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** Returns the current token, authenticating first when there is none or it is about to expire. */
  getToken(signal?: AbortSignal): Promise<KeystoneToken> {
    const token = this.current;
    if (token !== undefined && !this.isExpiring(token)) {
      return Promise.resolve(token);
    }
    return waitUnlessAborted(this.authenticate(), signal);
  }

  /**
   * Drops `rejectedValue` after a 401 and returns a fresh token. A caller whose 401 arrives after
   * another caller already replaced the token gets that newer token without a new authentication.
   */
  renewAfterRejection(rejectedValue: string, signal?: AbortSignal): Promise<KeystoneToken> {
    if (this.current?.value === rejectedValue) {
      this.current = undefined;
    }
    return this.getToken(signal);
  }

  /** Number of POST /v3/auth/tokens calls started, failed ones included. */
  get authenticationCount(): number {
    return this.authentications;
  }

  /** Token in use, without authenticating; undefined before the first request. */
  peek(): KeystoneToken | undefined {
    return this.current;
  }

  private isExpiring(token: KeystoneToken): boolean {
    const lifetimeMs = token.expiresAt.getTime() - this.issuedAtMs;
    const marginMs = Math.min(this.refreshMarginMs, lifetimeMs / 2);
    return token.expiresAt.getTime() - this.now() <= marginMs;
  }

  private authenticate(): Promise<KeystoneToken> {
    if (this.inFlight !== undefined) {
      return this.inFlight;
    }

    const startedAtMs = this.now();
    this.authentications += 1;
    const authentication = this.issue().then(
      (token) => {
        this.current = token;
        this.issuedAtMs = startedAtMs;
        this.inFlight = undefined;
        return token;
      },
      (error: unknown) => {
        this.inFlight = undefined;
        throw error;
      },
    );
    this.inFlight = authentication;
    return authentication;
  }
}
