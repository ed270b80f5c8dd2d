/** Appended to every AWS SDK user agent, so Tourniquet's calls are recognisable in CloudTrail (`userAgent`). */
export const TOURNIQUET_VERSION = '0.1.0';
export const TOURNIQUET_USER_AGENT = `tourniquet/${TOURNIQUET_VERSION}`;
