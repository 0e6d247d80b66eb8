import { useEffect, useState } from 'preact/hooks';
import { checkProxyUrl, type Settings } from '@/lib/settings';
import { loadSettings, saveSettings } from '@/lib/storage';

export function OptionsApp() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);
  const [saved, setSaved] = useState('');

  useEffect(() => {
    void loadSettings().then(setSettings);
  }, []);
  if (!settings) return <main class="options-main">Loading…</main>;

  const update = <K extends keyof Settings>(key: K, value: Settings[K]) => {
    setSaved('');
    setSettings({ ...settings, [key]: value });
  };

  async function save(event: Event) {
    event.preventDefault();
    if (!settings) return;
    const check = checkProxyUrl(settings.proxyUrl);
    if (!check.ok) {
      setUrlError(check.message);
      setSaved('');
      return;
    }
    setUrlError(null);
    await saveSettings({ ...settings, proxyUrl: check.url.toString(), token: settings.token.trim() });
    setSaved('Saved');
  }

  return (
    <main class="options-main">
      <h1>Captionist settings</h1>
      <form onSubmit={(event) => void save(event)} noValidate>
        <label class="field">
          <span>Proxy URL</span>
          <input
            id="proxy-url"
            type="url"
            value={settings.proxyUrl}
            aria-invalid={urlError ? 'true' : 'false'}
            aria-describedby="proxy-url-help"
            onInput={(e) => update('proxyUrl', e.currentTarget.value)}
          />
          <small id="proxy-url-help" class={urlError ? 'error' : ''}>
            {urlError ?? 'wss://your-proxy.example.com/v1/listen (ws:// only for localhost).'}
          </small>
        </label>
        <label class="field">
          <span>Token</span>
          <input
            id="token"
            type="password"
            autoComplete="off"
            value={settings.token}
            onInput={(e) => update('token', e.currentTarget.value)}
          />
          <small>Given by whoever runs your proxy. Stored on this computer only.</small>
        </label>
        <label class="field">
          <span>Language</span>
          <input id="language" type="text" value={settings.language} onInput={(e) => update('language', e.currentTarget.value)} />
          <small>A BCP-47 code such as en, en-GB, de, es, or multi.</small>
        </label>
        <label class="field">
          <span>Model</span>
          <input id="model" type="text" value={settings.model} onInput={(e) => update('model', e.currentTarget.value)} />
        </label>
        <label class="checkbox">
          <input id="diarize" type="checkbox" checked={settings.diarize} onChange={(e) => update('diarize', e.currentTarget.checked)} />
          Tell speakers apart (diarization)
        </label>
        <label class="checkbox">
          <input
            id="interim-results"
            type="checkbox"
            checked={settings.interimResults}
            onChange={(e) => update('interimResults', e.currentTarget.checked)}
          />
          Show words while they are being recognised
        </label>
        <div class="form-actions">
          <button id="save" class="primary" type="submit">
            Save
          </button>
          <span class="saved" data-testid="options-status" role="status">
            {saved}
          </span>
        </div>
      </form>
    </main>
  );
}
