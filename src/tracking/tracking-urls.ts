import type { TrackingTokens } from './token.js';

export const TRACKING_PREFIX = '/api/v1/tracking/';

/** Builds the public tracking links of a message from PUBLIC_URL and its signed token. */
export class TrackingUrls {
  constructor(
    private readonly publicUrl: string,
    private readonly tokens: TrackingTokens,
  ) {}

  openPixel(messageId: string): string {
    return `${this.publicUrl}${TRACKING_PREFIX}open/${this.tokens.sign(messageId)}`;
  }
}
