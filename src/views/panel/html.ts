// The panel's HTML shell: a strict CSP with a fresh crypto nonce, assets from
// dist/ and media/ through asWebviewUri, and nothing inline.
import * as vscode from 'vscode';
import { bytesToBase64 } from '../../shared/base64';
import { escapeHtml } from '../../shared/escapeHtml';

export function makeNonce(): string {
  // Web Crypto: the same in Node and in the web worker extension host.
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(18)));
}

/** The CSP: scripts by nonce only, no network (connect-src 'none'), images from us, https: and data:. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} https: data:`,
    `font-src ${cspSource}`,
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = makeNonce();
  // The words are in VS Code's display language only when a bundle for it exists (else English).
  const lang = vscode.l10n.bundle ? vscode.env.language : 'en';
  const asset = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'codicons', 'codicon.css')}">
<link rel="stylesheet" href="${asset('media', 'panel.css')}">
<title>${escapeHtml(vscode.l10n.t('Flow run'))}</title>
</head>
<body>
<div id="root"><p class="loading-note">${escapeHtml(vscode.l10n.t('Loading run…'))}</p></div>
<script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}

/** Webviews may load files from dist/ (the script) and media/ (CSS, fonts) only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}
