import { describe, expect, it } from 'vitest';
import {
  BURST_CLICKS,
  BURST_WINDOW_MS,
  CLICK_BEFORE_OPEN_WINDOW_MS,
  classifyBehaviour,
  classifyRequest,
  DISTINCT_LINKS_WINDOW_MS,
  type RequestSignals,
  type StoredEvent,
} from '../src/tracking/machine-detection.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const base: RequestSignals = {
  type: 'OPEN',
  method: 'GET',
  userAgent: CHROME,
  ipAddress: '198.51.100.7',
  purpose: null,
  honeypot: false,
};

describe('classifyRequest', () => {
  it.each<[string, Partial<RequestSignals>, boolean, string | null]>([
    ['a desktop browser opening', {}, false, null],
    [
      'Outlook desktop fetching the image',
      { userAgent: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)' },
      false,
      null,
    ],
    [
      'Thunderbird',
      { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0' },
      false,
      null,
    ],
    [
      'iPhone Mail without privacy protection',
      {
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      },
      false,
      null,
    ],
    [
      'Gmail image proxy (a person opened)',
      {
        userAgent:
          'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      },
      false,
      'gmail_proxy',
    ],
    [
      'Yahoo mail proxy',
      { userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' },
      false,
      'yahoo_proxy',
    ],
    ['Apple Mail Privacy Protection (bare agent)', { userAgent: 'Mozilla/5.0' }, true, 'apple_mpp'],
    ['Apple Mail Privacy Protection (Apple network)', { ipAddress: '17.58.63.10' }, true, 'apple_mpp'],
    ['a HEAD request', { method: 'HEAD' }, true, 'head_request'],
    ['a browser prefetch', { purpose: 'prefetch' }, true, 'prefetch'],
    ['no user agent', { userAgent: null }, true, 'no_user_agent'],
    ['curl', { userAgent: 'curl/8.5.0' }, true, 'known_agent'],
    ['python requests', { userAgent: 'python-requests/2.32.3' }, true, 'known_agent'],
    [
      'Slack unfurling',
      { userAgent: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
      true,
      'known_agent',
    ],
    [
      'Bing preview',
      { userAgent: 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 BingPreview/1.0b' },
      true,
      'known_agent',
    ],
    [
      'headless Chrome',
      {
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36',
      },
      true,
      'known_agent',
    ],
    ['Barracuda gateway click', { type: 'CLICK', userAgent: 'Barracuda Sentinel (EE)' }, true, 'known_agent'],
    ['Mimecast click', { type: 'CLICK', userAgent: 'Mozilla/5.0 Mimecast-URL-Protect' }, true, 'known_agent'],
    [
      'a bare agent clicking is not MPP (MPP only loads images)',
      { type: 'CLICK', userAgent: 'Mozilla/5.0' },
      false,
      null,
    ],
    ['the honeypot link, even from a browser', { type: 'CLICK', honeypot: true }, true, 'honeypot'],
  ])('%s', (_name, signals, machine, reason) => {
    expect(classifyRequest({ ...base, ...signals })).toEqual({ machine, reason });
  });
});

const sentAt = new Date('2026-11-20T10:00:00Z');
const at = (seconds: number) => new Date(sentAt.getTime() + seconds * 1000);
let n = 0;
const event = (
  type: StoredEvent['type'],
  seconds: number,
  url: string | null = null,
  machine = false,
): StoredEvent => ({
  key: `e${n++}`,
  type,
  occurredAt: at(seconds),
  url,
  machine,
  machineReason: machine ? 'apple_mpp' : null,
});

describe('classifyBehaviour', () => {
  it('leaves a person who opens, then clicks one link, alone', () => {
    expect(classifyBehaviour([event('OPEN', 300), event('CLICK', 320, 'https://a.test')], sentAt).size).toBe(
      0,
    );
  });

  it('marks a scanner that follows every link within a second or two, 40 s after delivery', () => {
    const clicks = [
      event('CLICK', 40, 'https://a.test'),
      event('CLICK', 40.4, 'https://b.test'),
      event('CLICK', 41, 'https://c.test'),
    ];
    const verdicts = classifyBehaviour(clicks, sentAt);
    expect([...verdicts.values()]).toEqual(clicks.map(() => ({ machine: true, reason: 'scanner_burst' })));
  });

  it('marks three clicks of one link within two seconds, even after an open', () => {
    const events = [
      event('OPEN', 10),
      ...[600, 600.5, 601.5].map((s) => event('CLICK', s, 'https://a.test')),
    ];
    expect(classifyBehaviour(events, sentAt).size).toBe(3);
  });

  it('leaves a person who clicks two links a minute apart alone', () => {
    const events = [
      event('OPEN', 900),
      event('CLICK', 910, 'https://a.test'),
      event('CLICK', 970, 'https://b.test'),
    ];
    expect(classifyBehaviour(events, sentAt).size).toBe(0);
  });

  it('marks a click with no open, seconds after delivery, as click_before_open', () => {
    const click = event('CLICK', 30, 'https://a.test');
    expect(classifyBehaviour([click], sentAt).get(click.key)).toEqual({
      machine: true,
      reason: 'click_before_open',
    });
  });

  it('leaves a click with no open alone when it comes later (images blocked, a person reading)', () => {
    expect(classifyBehaviour([event('CLICK', 3600, 'https://a.test')], sentAt).size).toBe(0);
  });

  it('counts a machine open (Apple preload) as the email having been opened', () => {
    expect(
      classifyBehaviour([event('OPEN', 2, null, true), event('CLICK', 30, 'https://a.test')], sentAt).size,
    ).toBe(0);
  });

  it('never turns a machine event into a human one, nor reports it again', () => {
    const machineClick = event('CLICK', 30, 'https://a.test', true);
    expect(classifyBehaviour([machineClick], sentAt).size).toBe(0);
  });
});

/** The rules as first written: every click against every other (quadratic), kept as the oracle. */
function quadraticVerdicts(events: StoredEvent[], sent: Date | null): Map<string, string> {
  const changes = new Map<string, string>();
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const clicks = sorted.filter((e) => e.type === 'CLICK');
  const mark = (e: StoredEvent, reason: string) => {
    if (!e.machine && !changes.has(e.key)) changes.set(e.key, reason);
  };
  for (const [i, click] of clicks.entries()) {
    const t = click.occurredAt.getTime();
    const near = clicks.filter((o) => Math.abs(o.occurredAt.getTime() - t) <= BURST_WINDOW_MS);
    const otherLinks = clicks.filter(
      (o, j) =>
        j !== i && o.url !== click.url && Math.abs(o.occurredAt.getTime() - t) <= DISTINCT_LINKS_WINDOW_MS,
    );
    if (near.length >= BURST_CLICKS || otherLinks.length > 0) {
      mark(click, 'scanner_burst');
      continue;
    }
    const openedBefore = sorted.some((e) => e.type === 'OPEN' && e.occurredAt.getTime() <= t);
    if (!openedBefore && sent && t - sent.getTime() <= CLICK_BEFORE_OPEN_WINDOW_MS)
      mark(click, 'click_before_open');
  }
  return changes;
}

describe('classifyBehaviour in O(n log n)', () => {
  it('gives the same verdicts as the quadratic rules on 3,000 generated histories', () => {
    // a small deterministic generator: the same histories on every run
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const urls = ['https://a.test', 'https://b.test', 'https://c.test', null];
    for (let history = 0; history < 3_000; history++) {
      const spread = [3, 30, 300][history % 3];
      const events = Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
        event(
          random() < 0.25 ? 'OPEN' : 'CLICK',
          Math.round(random() * spread * 10) / 10,
          urls[Math.floor(random() * urls.length)],
          random() < 0.1,
        ),
      );
      const expected = quadraticVerdicts(events, history % 5 === 0 ? null : sentAt);
      const actual = classifyBehaviour(events, history % 5 === 0 ? null : sentAt);
      expect(new Map([...actual].map(([key, v]) => [key, v.reason])), `history ${history}`).toEqual(expected);
    }
  });

  it('judges 100,000 clicks of one message in one pass', () => {
    const clicks = Array.from({ length: 100_000 }, (_, i) =>
      event('CLICK', 600 + i * 0.01, 'https://a.test'),
    );
    expect(classifyBehaviour(clicks, sentAt).size).toBe(100_000);
  });
});
