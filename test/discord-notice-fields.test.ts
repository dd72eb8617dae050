// The notify command's own Discord message never carries an empty field: Discord refuses the whole
// message (HTTP 400, "Must be between 1 and 1024 in length") for one.
import { discordPayload } from '../lib/pipeline/deployment-notice';

describe('discordPayload', () => {
  test('leaves out fields whose value is empty or blank, instead of sending them empty', () => {
    const payload = discordPayload({ status: 'failure', component: 'backend', environment: '  ', image: '', commit: '', buildNumber: '' }, new Date(0));
    const fields = payload.embeds[0]!.fields;
    expect(fields.map((f) => f.name)).toEqual(['Status', 'Component']);
    for (const f of fields) expect(f.value.trim()).not.toBe('');
  });

  test('a field value longer than 1024 characters is cut to 1024', () => {
    const payload = discordPayload({ status: 'success', image: `registry.example.com/${'a'.repeat(2000)}:1` }, new Date(0));
    expect([...payload.embeds[0]!.fields.find((f) => f.name === 'Image')!.value]).toHaveLength(1024);
  });
});
