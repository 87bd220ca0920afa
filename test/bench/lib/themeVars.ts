// The VS Code theme variables the panel's CSS reads, as a webview gets them
// in VS Code 1.139 with the default Dark Modern and Light Modern themes (their
// theme files, and the colour registry's defaults for colours they leave out),
// so the bench page and its screenshots look like the panel in the editor.
export type ThemeKind = 'dark' | 'light';

const FONTS = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '14px',
};

const DARK: Record<string, string> = {
  'button-background': '#0078d4',
  'button-border': '#ffffff1a',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#026ec1',
  'button-secondaryBackground': '#00000000',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryHoverBackground': '#2b2b2b',
  'charts-blue': '#3794ff',
  'charts-yellow': '#cca700',
  'contrastActiveBorder': 'transparent',
  'debugTokenExpression-boolean': '#4e94ce',
  'debugTokenExpression-number': '#b5cea8',
  'debugTokenExpression-string': '#ce9178',
  'descriptionForeground': '#9d9d9d',
  'editor-background': '#1f1f1f',
  'editor-foreground': '#cccccc',
  'editorWarning-foreground': '#cca700',
  'editorWidget-background': '#202020',
  'focusBorder': '#0078d4',
  'foreground': '#cccccc',
  'inputValidation-errorBackground': '#5a1d1d',
  'inputValidation-errorBorder': '#be1100',
  'list-hoverBackground': '#2a2d2e',
  'list-inactiveSelectionBackground': '#37373d',
  'panel-border': '#2b2b2b',
  'symbolIcon-propertyForeground': '#cccccc',
  'testing-iconFailed': '#f14c4c',
  'testing-iconPassed': '#73c991',
  'testing-iconSkipped': '#848484',
  'textBlockQuote-background': '#2b2b2b',
  'textCodeBlock-background': '#2b2b2b',
  'textLink-activeForeground': '#4daafc',
  'textLink-foreground': '#4daafc',
  'widget-border': '#313131',
};

const LIGHT: Record<string, string> = {
  'button-background': '#005fb8',
  'button-border': '#0000001a',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#0258a8',
  'button-secondaryBackground': '#e5e5e5',
  'button-secondaryForeground': '#3b3b3b',
  'button-secondaryHoverBackground': '#cccccc',
  'charts-blue': '#1a85ff',
  'charts-yellow': '#bf8803',
  'contrastActiveBorder': 'transparent',
  'debugTokenExpression-boolean': '#0000ff',
  'debugTokenExpression-number': '#098658',
  'debugTokenExpression-string': '#a31515',
  'descriptionForeground': '#3b3b3b',
  'editor-background': '#ffffff',
  'editor-foreground': '#3b3b3b',
  'editorWarning-foreground': '#bf8803',
  'editorWidget-background': '#f8f8f8',
  'focusBorder': '#005fb8',
  'foreground': '#3b3b3b',
  'inputValidation-errorBackground': '#f2dede',
  'inputValidation-errorBorder': '#be1100',
  'list-hoverBackground': '#f2f2f2',
  'list-inactiveSelectionBackground': '#e4e6f1',
  'panel-border': '#e5e5e5',
  'symbolIcon-propertyForeground': '#3b3b3b',
  'testing-iconFailed': '#f14c4c',
  'testing-iconPassed': '#388a34',
  'testing-iconSkipped': '#848484',
  'textBlockQuote-background': '#f8f8f8',
  'textCodeBlock-background': '#f8f8f8',
  'textLink-activeForeground': '#005fb8',
  'textLink-foreground': '#005fb8',
  'widget-border': '#e5e5e5',
};

/** A `:root { --vscode-…: … }` rule for the theme. */
export function themeCss(kind: ThemeKind): string {
  const vars = { ...FONTS, ...(kind === 'dark' ? DARK : LIGHT) };
  return `:root {\n${Object.entries(vars).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n')}\n}`;
}
