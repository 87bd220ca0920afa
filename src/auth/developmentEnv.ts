// What `npm start` hands the extension in the environment: the local
// sandbox's key and URL (development mode only, see session.ts). The web
// build swaps in developmentEnv.web.ts: a browser tab has no environment.

export interface DevelopmentKey {
  key: string;
  url: string;
}

export function developmentKey(): DevelopmentKey | undefined {
  const key = process.env.FLOW_RUNS_DEV_API_KEY;
  const url = process.env.FLOW_RUNS_DEV_API_URL;
  return key && url ? { key, url } : undefined;
}
