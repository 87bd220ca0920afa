// Base URL checks: the API key travels in every request, so plain http is only
// allowed where the traffic never leaves this machine.
import * as l10n from '@vscode/l10n';

export type BaseUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** 127.0.0.0/8, localhost (and *.localhost) and [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m[1] === '127' && m.slice(2).every((p) => Number(p) <= 255);
}

export function checkBaseUrl(url: string): BaseUrlCheck {
  const text = url.trim();
  if (!text) {
    return { ok: false, message: l10n.t('The base URL is empty. Set "flowRuns.apiUrl" to https://api.inference.sh or your proxy.') };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { ok: false, message: l10n.t('The base URL "{0}" is not a valid URL. Use a full address such as https://api.inference.sh.', text) };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, message: l10n.t('The base URL must not contain a user name or password. Remove them and set the API key with "Flow Runs: Set API Key".') };
  }
  if (parsed.search || parsed.hash) {
    return { ok: false, message: l10n.t('The base URL "{0}" must not contain a query or fragment. Use only scheme, host and path, such as https://api.inference.sh.', text) };
  }
  if (parsed.protocol === 'http:') {
    if (!isLoopbackHost(parsed.hostname)) {
      return {
        ok: false,
        message: l10n.t(
          'Plain http is refused for {0} because the API key would travel unencrypted. Use an https:// base URL (http is allowed only for localhost and 127.0.0.1).',
          parsed.hostname),
      };
    }
  } else if (parsed.protocol !== 'https:') {
    return { ok: false, message: l10n.t('The base URL must start with https:// (got "{0}"). Use https://api.inference.sh or your proxy.', parsed.protocol) };
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${parsed.origin}${path}` };
}
