/** The 43-byte transparent 1x1 GIF. */
export const PIXEL_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==',
  'base64',
);

export const NO_CACHE_HEADERS = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
} as const;

export const PIXEL_HEADERS = {
  ...NO_CACHE_HEADERS,
  'Content-Type': 'image/gif',
  'Content-Length': String(PIXEL_GIF.length),
} as const;
