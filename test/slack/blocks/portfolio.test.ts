// /health portfolio: the KPIs in canary report's words, the risk distribution, health
// by industry (by segment once filtered to an industry), chart slots, a filter line.
import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../../../src/slack/blocks/actions.ts';
import { healthGroups, portfolioMessage } from '../../../src/slack/blocks/portfolio.ts';
import { BANDS, portfolio } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

const charts = { risk: { slackFileId: 'F0RISK' }, health: { slackFileId: 'F0HEALTH' } };

describe('portfolio', () => {
  const m = portfolioMessage({ portfolio: portfolio(), bands: BANDS, filter: {}, charts });
  const text = mrkdwnStrings(m).join('\n');

  it('gives the KPIs as canary report does', () => {
    expect(text).toContain('*Average Health Index*\n62.4 (ARR-weighted 58.1)');
    expect(text).toContain('*At risk (high or critical)*\n23% of accounts, $1.2M ARR');
    expect(text).toContain('*Referral-Ready Account Rate*\n12%');
    expect(text).toContain('*Accounts scored*\n1,234, $14M ARR');
    expect(m.text).toBe('Portfolio on 2026-11-20: average Health Index 62.4, 23% at risk ($1.2M ARR)');
  });

  it('gives the risk distribution, critical first, and health by industry with its colour', () => {
    expect(text).toContain(
      '*Risk distribution*\n🔴 critical: 80 accounts, $1.8M ARR\n🟠 high: 204 accounts, $3.0M ARR\n🟡 medium: 438 accounts, $5.0M ARR\n🟢 low: 512 accounts, $4.2M ARR',
    );
    expect(text).toContain('*Health by industry*\n🟢 Software: 72.1 · 600 accounts · $500k ARR at risk');
    expect(text).toContain('🟡 Retail: 55.0');
    expect(text).toContain('🔴 (none): 40.0');
  });

  it('holds the two chart slots and a share button for the same view', () => {
    const images = m.blocks.filter((b) => b.type === 'image') as { slack_file: { id: string } }[];
    expect(images.map((i) => i.slack_file.id)).toEqual(['F0RISK', 'F0HEALTH']);
    const share = JSON.stringify(m.blocks.at(-1));
    expect(share).toContain('canary_share');
    expectSafe(m);
  });

  it('says what it is filtered by, and groups by segment when filtered to one industry', () => {
    const f = portfolioMessage({
      portfolio: portfolio(),
      bands: BANDS,
      filter: { industry: 'Software' },
      charts,
    });
    const t = mrkdwnStrings(f).join('\n');
    expect(t).toContain('On 2026-11-20 · industry "Software"');
    expect(t).toContain('*Health by segment*\n🟡 enterprise: 66.0');
    const value = (f.blocks.at(-1) as { elements: { value: string }[] }).elements[0]!.value;
    expect(parseAnswer(value)).toEqual({ kind: 'portfolio', day: '2026-11-20', industry: 'Software' });
    expect(healthGroups(portfolio(), { industry: 'Software' }).by).toBe('segment');
    expectSafe(f);
  });

  it('shows the first twelve groups and says how many more', () => {
    const many = portfolio({
      byIndustry: Array.from({ length: 40 }, (_, i) => ({
        industry: `Industry ${i}`,
        accounts: 10,
        averageIndex: 50,
        arrAtRisk: 0,
      })),
    });
    const t = mrkdwnStrings(portfolioMessage({ portfolio: many, bands: BANDS, filter: {}, charts })).join(
      '\n',
    );
    expect(t).toContain('Industry 11:');
    expect(t).not.toContain('Industry 12:');
    expect(t).toContain('…and 28 more');
  });

  it('says when nothing is scored, or nothing matches the filter', () => {
    expect(portfolioMessage({ portfolio: null, bands: BANDS, filter: {}, charts }).text).toBe(
      'No scores yet: Canary has not scored any account.',
    );
    const none = portfolioMessage({
      portfolio: portfolio({ scored: 0, accounts: 0 }),
      bands: BANDS,
      filter: { segment: 'mid-market' },
      charts,
    });
    expect(mrkdwnStrings(none).join('\n')).toContain(
      'No account has a Health Index on 2026-11-20 (segment "mid-market").',
    );
    expectSafe(none);
  });
});
