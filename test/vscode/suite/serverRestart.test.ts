import assert from 'node:assert/strict';
import { catalogApi } from './catalogApi';
import { waitFor } from './helpers';

describe('a language server that crashes', function () {
  this.timeout(90_000);

  it('is restarted, and the views load again', async () => {
    const api = await catalogApi();
    const pid = api.server.processId;
    assert.ok(pid, 'the server runs in its own process');
    const states: string[] = [];
    const listener = api.server.onDidChangeState((state) => states.push(state));
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor(() => states.includes('restarting'), () => `the extension to notice the crash (states: ${states.join(', ')})`, 20_000);
      await waitFor(() => api.server.state === 'ready' && api.server.processId !== pid, () => `a new server (states: ${states.join(', ')})`, 40_000);
    } finally {
      listener.dispose();
    }
    api.datastores.refresh();
    const names = (await api.datastores.datastores()).map((d) => d.item.name);
    assert.ok(['analytics', 'landing', 'shop_db'].every((name) => names.includes(name)), `datastores after the restart: ${names.join(', ')}`);
  });
});
