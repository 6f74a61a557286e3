import { describe, expect, it } from 'vitest';
import { metricPanels, splitMetricName } from './metric-panels';

describe('metricPanels', () => {
  it('puts the train and test variants of one quantity on one chart, losses on a log axis', () => {
    expect(metricPanels(['test_acc', 'train_loss', 'test_loss', 'train_acc', 'lr'])).toEqual([
      { key: 'lr', traces: [{ name: 'lr', metric: 'lr' }], logY: false },
      {
        key: 'acc',
        traces: [
          { name: 'train', metric: 'train_acc' },
          { name: 'test', metric: 'test_acc' },
        ],
        logY: false,
      },
      {
        key: 'loss',
        traces: [
          { name: 'train', metric: 'train_loss' },
          { name: 'test', metric: 'test_loss' },
        ],
        logY: true,
      },
    ]);
  });

  it('reads the usual spellings of a split', () => {
    expect(splitMetricName('loss/validation')).toEqual({ split: 'val', quantity: 'loss' });
    expect(splitMetricName('trainLoss')).toEqual({ split: 'train', quantity: 'loss' });
    expect(splitMetricName('eval.accuracy')).toEqual({ split: 'eval', quantity: 'accuracy' });
    expect(splitMetricName('train')).toEqual({ split: null, quantity: 'train' });
    expect(splitMetricName('grad_norm')).toEqual({ split: null, quantity: 'grad_norm' });
  });
});
