// One reading of label selectors, as the API server's labels.Selector matches them.
import { selects } from '../lib/validation/label-selector';

describe('selects', () => {
  const labels = { app: 'api', tier: 'web' };

  test.each([
    ['matchLabels equal', { matchLabels: { app: 'api' } }, true],
    ['matchLabels different', { matchLabels: { app: 'db' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['an empty selector selects everything', {}, true],
    ['an unknown operator selects nothing', { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['api'] }] }, false],
    ['In without values selects nothing (the API server refuses it)', { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, false],
    ['an invalid key selects nothing', { matchLabels: { 'bad key': 'api' } }, false],
  ])('%s', (_, selector, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });

  test('an absent selector selects nothing', () => {
    expect(selects(undefined, labels)).toBe(false);
  });

  test('the same selector object reads the same every time it is asked', () => {
    const selector = { matchLabels: { app: 'api' } };
    expect([selects(selector, labels), selects(selector, { app: 'db' }), selects(selector, labels)]).toEqual([true, false, true]);
  });
});
