/**
 * `api_base: https://user:pass@gateway/v1` is how LiteLLM users reach gateways behind Basic auth:
 * LiteLLM's HTTP client (httpx) sends the user info as `Authorization: Basic …` in place of the
 * api_key's bearer header, never in the URL; undici would drop it silently. An Authorization
 * the user wrote in extra_headers is the more explicit wish and is kept.
 */
export function moveUserInfoToBasicAuth(wire: { url: URL; headers: Record<string, string> }, explicitAuthorization: boolean): void {
  const { url } = wire;
  if (!url.username && !url.password) return;
  const decoded = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
  const credentials = Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64');
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  wire.url = bare;
  if (explicitAuthorization) return;
  for (const name of Object.keys(wire.headers)) if (name.toLowerCase() === 'authorization') delete wire.headers[name];
  wire.headers.authorization = `Basic ${credentials}`;
}
