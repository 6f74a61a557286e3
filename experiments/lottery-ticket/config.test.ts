import { describe, expect, it } from 'vitest';
import {
  LOTTERY_TICKET_METRICS,
  LOTTERY_TICKET_ROUND_METRICS,
  lotteryTicketConfigSchema,
  lotteryTicketExperiment,
  lotteryTicketTotalSteps,
  type LotteryTicketConfig,
  type LotteryTicketConfigInput,
} from './lottery-ticket.experiment';
import { CORE_METRICS } from '../types';

function parse(input: LotteryTicketConfigInput): LotteryTicketConfig {
  return lotteryTicketConfigSchema.parse(input);
}

function message(input: unknown): string {
  const r = lotteryTicketConfigSchema.safeParse(input);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

describe('lottery-ticket config', () => {
  it('defaults to the docs/experiments.md §5 cheap preset', () => {
    expect(parse({})).toEqual({
      rounds: 13,
      stepsPerRound: 1000,
      pruneFraction: 0.2,
      width: 100,
      lr: 0.01,
      batchSize: 100,
      rewindStep: 0,
      controls: true,
      seed: 0,
      dataSeed: 42,
      evalEvery: 100,
    });
  });

  it('parses every preset, and the named ones say what they promise', () => {
    const { presets } = lotteryTicketExperiment;
    expect(Object.keys(presets)).toEqual(expect.arrayContaining(['default', 'cheap', 'quick', 'rewind']));
    for (const [name, preset] of Object.entries(presets)) expect(() => parse(preset), name).not.toThrow();
    expect(parse(presets.cheap!)).toEqual(parse(presets.default!));
    const quick = parse(presets.quick!);
    expect(quick.rounds).toBeLessThanOrEqual(5);
    expect(lotteryTicketTotalSteps(quick)).toBeLessThanOrEqual(5000);
    expect(parse(presets.rewind!).rewindStep).toBeGreaterThan(0);
  });

  it('counts the dense training once and three networks per pruning round', () => {
    const c = parse({});
    // 1,000 dense + 13 rounds × (ticket + random mask + fresh init) × 1,000.
    expect(lotteryTicketExperiment.totalSteps(c)).toBe(1000 + 13 * 3 * 1000);
    expect(lotteryTicketTotalSteps(parse({ controls: false }))).toBe(14 * 1000);
    expect(lotteryTicketTotalSteps(parse({ rounds: 0 }))).toBe(1000);
    // Rewound networks (ticket, random mask) train steps k…T−1; the fresh init trains all T.
    expect(lotteryTicketTotalSteps(parse({ rewindStep: 100 }))).toBe(1000 + 13 * (900 + 900 + 1000));
  });

  it('rejects bad values with messages naming the field and its range', () => {
    expect(message({ rounds: -1 })).toContain('rounds must be an integer from 0 to 40');
    expect(message({ rounds: 2.5 })).toContain('rounds must be an integer from 0 to 40');
    expect(message({ stepsPerRound: 0 })).toContain('stepsPerRound must be an integer from 1 to 1000000');
    expect(message({ pruneFraction: 1 })).toContain('pruneFraction must be a number strictly between 0 and 1');
    expect(message({ pruneFraction: 0 })).toContain('pruneFraction must be a number strictly between 0 and 1');
    expect(message({ width: '100' })).toContain('width must be an integer from 1 to 2048');
    expect(message({ lr: 0 })).toContain('lr must be a number greater than 0 and at most 10');
    expect(message({ batchSize: 4001 })).toContain('batchSize must be an integer from 1 to 4000');
    expect(message({ rewindStep: -5 })).toContain('rewindStep must be an integer from 0 to');
    expect(message({ rewindStep: 1000 })).toContain('rewindStep must be below stepsPerRound (got 1000 with stepsPerRound 1000)');
    expect(message({ controls: 'yes' })).toContain('controls must be true or false');
    expect(message({ seed: -3 })).toContain('seed must be an integer from 0 to 4294967295');
    expect(message({ dataSeed: 2 ** 32 })).toContain('dataSeed must be an integer from 0 to 4294967295');
    expect(message({ evalEvery: 0 })).toContain('evalEvery must be an integer from 1 to');
    expect(message({ steps: 10 })).toMatch(/steps/); // unknown keys are errors, not silently ignored
  });

  it('names its metrics: the core ones plus one set per round', () => {
    for (const m of CORE_METRICS) expect(LOTTERY_TICKET_METRICS).toContain(m);
    for (const m of ['round', 'weightsLeft', 'ticketTestAcc', 'randomMaskTestAcc', 'freshInitTestAcc', 'ticketTrainAcc']) {
      expect(LOTTERY_TICKET_ROUND_METRICS).toContain(m);
    }
    expect(new Set(LOTTERY_TICKET_METRICS).size).toBe(LOTTERY_TICKET_METRICS.length);
  });
});
