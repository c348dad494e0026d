import type { TrackingTokens } from './token.js';

export const TRACKING_PREFIX = '/api/v1/tracking/';

/** The tracking links of one message, as its email carries them. */
export interface MessageLinks {
  pixel: string;
  unsubscribe: string;
  /** The tracked form of a link of the email. */
  click(url: string): string;
  /** A hidden link no person sees: whoever follows it is a machine. */
  honeypot: string;
}

/** Builds the public tracking links of messages from PUBLIC_URL and their signed tokens. */
export class TrackingUrls {
  constructor(
    private readonly publicUrl: string,
    private readonly tokens: TrackingTokens,
  ) {}

  openPixel(messageId: string): string {
    return `${this.publicUrl}${TRACKING_PREFIX}open/${this.tokens.sign(messageId)}`;
  }

  unsubscribe(messageId: string): string {
    return `${this.publicUrl}${TRACKING_PREFIX}unsubscribe/${this.tokens.sign(messageId)}`;
  }

  click(messageId: string, url: string, honeypot = false): string {
    const token = this.tokens.signLink(messageId, url, honeypot);
    return `${this.publicUrl}${TRACKING_PREFIX}click/${token}?url=${encodeURIComponent(url)}`;
  }

  forMessage(messageId: string): MessageLinks {
    return {
      pixel: this.openPixel(messageId),
      unsubscribe: this.unsubscribe(messageId),
      click: (url) => this.click(messageId, url),
      honeypot: this.click(messageId, `${this.publicUrl}/`, true),
    };
  }

  /** Our own tracking links are never wrapped again. */
  isTrackingUrl(url: string): boolean {
    return url.startsWith(this.publicUrl + TRACKING_PREFIX);
  }
}
