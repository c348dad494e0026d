/**
 * The people (and machines) the demo campaign reaches: where they read mail and with what. The
 * addresses are public ones that the DB-IP database places in these cities, so opens get locations.
 */
export interface Reader {
  ip: string;
  userAgent: string;
}

const APPLE_MAIL_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const IPHONE_MAIL =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const OUTLOOK = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';
const THUNDERBIRD = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const GMAIL_PROXY =
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

/** People, one per recipient in turn: London, Mountain View, Amsterdam, Tokyo area, São Paulo, Sydney, ... */
export const READERS: readonly Reader[] = [
  { ip: '81.2.69.142', userAgent: APPLE_MAIL_MAC },
  { ip: '8.8.8.8', userAgent: CHROME_WINDOWS },
  { ip: '193.0.6.139', userAgent: THUNDERBIRD },
  { ip: '202.12.27.33', userAgent: IPHONE_MAIL },
  { ip: '200.160.2.3', userAgent: ANDROID },
  { ip: '139.130.4.5', userAgent: OUTLOOK },
  { ip: '85.214.132.117', userAgent: APPLE_MAIL_MAC },
  { ip: '62.210.16.6', userAgent: IPHONE_MAIL },
  { ip: '41.185.8.1', userAgent: CHROME_WINDOWS },
  { ip: '187.141.0.1', userAgent: ANDROID },
  { ip: '49.44.0.1', userAgent: OUTLOOK },
  { ip: '24.48.0.1', userAgent: IPHONE_MAIL },
  { ip: '83.44.0.1', userAgent: APPLE_MAIL_MAC },
  { ip: '66.249.84.1', userAgent: GMAIL_PROXY },
];

/** Apple Mail Privacy Protection: fetches every image from Apple's network whether or not anyone reads. */
export const APPLE_PRIVACY_PROXY: Reader = { ip: '17.58.0.1', userAgent: 'Mozilla/5.0' };

/** A mail security gateway that follows links as the email arrives, before anyone opens it. */
export const LINK_SCANNER: Reader = {
  ip: '52.84.0.1',
  userAgent: 'Mozilla/5.0 (compatible; Barracuda Sentinel URL scanner)',
};

export const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Alan',
  'Barbara',
  'Dennis',
  'Frances',
  'Ken',
  'Radia',
  'Tim',
  'Hedy',
  'Donald',
  'Sophie',
  'Guido',
  'Katherine',
  'Bjarne',
  'Joan',
  'Vint',
  'Anita',
];
export const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Turing',
  'Liskov',
  'Ritchie',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Knuth',
  'Wilson',
  'van Rossum',
  'Johnson',
  'Stroustrup',
  'Clarke',
  'Cerf',
  'Borg',
];
