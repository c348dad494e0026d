import UAParser from 'ua-parser-js';

export interface ClientInfo {
  /** The mail client or browser: "Apple Mail", "Gmail", "Outlook", "Thunderbird", "Chrome", ... */
  client: string | null;
  /** "desktop", "mobile" or "tablet". */
  device: string | null;
}

/** Mail clients first (ua-parser-js knows browsers, not mail clients), then the browser it names. */
const MAIL_CLIENTS: [RegExp, string][] = [
  [/GoogleImageProxy/i, 'Gmail'],
  [/YahooMailProxy/i, 'Yahoo Mail'],
  [/Microsoft Outlook|Outlook-(iOS|Android)|ms-office|MSOffice/i, 'Outlook'],
  [/Thunderbird/i, 'Thunderbird'],
  [/Windows Mail|Windows-Mail/i, 'Windows Mail'],
  [/Superhuman/i, 'Superhuman'],
  [/Spark\//i, 'Spark'],
  [/AirMail/i, 'Airmail'],
];

export function parseUserAgent(userAgent: string | null): ClientInfo {
  if (!userAgent) return { client: null, device: null };
  const result = new UAParser(userAgent).getResult();
  const device =
    result.device.type === 'mobile' || result.device.type === 'tablet' ? result.device.type : 'desktop';
  for (const [pattern, name] of MAIL_CLIENTS) {
    if (pattern.test(userAgent)) return { client: name, device };
  }
  // Apple Mail loads images with WebKit's agent and no browser name
  if (/AppleWebKit/.test(userAgent) && !/Safari|Chrome|Firefox|Edg\//.test(userAgent))
    return { client: 'Apple Mail', device };
  return { client: result.browser.name ?? null, device };
}
