// Owns the demo customer book: a realistic sample portfolio (accounts, daily usage,
// support tickets, surveys, CSM notes and past outcomes) with a few built-in stories the
// Health Index is expected to find. Pure and deterministic: the seed and `asOf` decide
// every value, so `canary demo`, a screenshot and a test all see the same book.
import { at, Random } from '../lib/random.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Days of usage per account, ending at `asOf`. */
export const USAGE_DAYS = 120;
const FIRST_DAY = -(USAGE_DAYS - 1);

const DEFAULT_ACCOUNTS = 240;
// Below this a book cannot give every story an account in each segment; above it the
// name lists start to run dry.
const MIN_ACCOUNTS = 30;
const MAX_ACCOUNTS = 2000;

export interface BookOptions {
  seed: number;
  /** UTC midnight of the last day of data. */
  asOf: Date;
  accounts?: number;
}

export type Segment = 'smb' | 'mid_market' | 'enterprise';
export type LifecycleStage = 'onboarding' | 'adopting' | 'mature' | 'renewing';
export type Plan = 'starter' | 'growth' | 'business' | 'enterprise';
export type StoryKind = 'declining' | 'ticket_burst' | 'promoter' | 'churned' | 'renewed' | 'healthy';
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';
export type TicketPriority = 'P1' | 'P2' | 'P3' | 'P4';
export type SurveyKind = 'nps' | 'csat';
export type NoteSentiment = 'positive' | 'neutral' | 'negative';
export type OutcomeKind = 'churned' | 'renewed' | 'expanded' | 'contracted';

export interface Csm {
  name: string;
  email: string;
  slackId: string;
}

export interface DemoAccount {
  externalId: string;
  name: string;
  domain: string;
  industry: string;
  segment: Segment;
  lifecycleStage: LifecycleStage;
  plan: Plan;
  arr: number;
  seatsPurchased: number;
  contractStart: Date;
  /** The next renewal; for a churned account, the renewal it did not take. */
  renewalDate: Date;
  ownerEmail: string;
  ownerSlackId: string;
}

export interface DemoUsageDay {
  accountExternalId: string;
  date: Date;
  activeUsers: number;
  logins: number;
  seatsUsed: number;
  featuresUsed: number;
}

export interface DemoTicket {
  ticketId: string;
  accountExternalId: string;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  openedAt: Date;
  /** Null while the ticket is open or pending. */
  resolvedAt: Date | null;
  csat: number | null;
  /** -1 (negative) .. 1 (positive), two decimals. */
  sentiment: number | null;
}

export interface DemoSurveyResponse {
  responseId: string;
  accountExternalId: string;
  kind: SurveyKind;
  /** NPS 0-10, CSAT 1-5. */
  score: number;
  comment: string | null;
  respondent: string;
  respondedAt: Date;
}

export interface DemoSentimentNote {
  noteId: string;
  accountExternalId: string;
  author: string;
  sentiment: NoteSentiment;
  note: string;
  notedAt: Date;
}

export interface DemoOutcome {
  accountExternalId: string;
  outcome: OutcomeKind;
  date: Date;
  /** Signed change of ARR in dollars; a churn loses the whole ARR. */
  arrChange: number;
  note: string;
}

export interface DemoStory {
  story: StoryKind;
  accountExternalId: string;
  note: string;
}

export interface DemoBook {
  asOf: Date;
  csms: Csm[];
  accounts: DemoAccount[];
  /** 120 rows per account, account by account, oldest day first. Computed on each
   * iteration rather than held, because it is by far the largest part of the book. */
  usage(): Iterable<DemoUsageDay>;
  tickets: DemoTicket[];
  surveys: DemoSurveyResponse[];
  notes: DemoSentimentNote[];
  outcomes: DemoOutcome[];
  /** One entry per account: its built-in story, or `healthy`. */
  stories: DemoStory[];
}

// ---------------------------------------------------------------------------------
// Randomness. Every account draws from its own streams, derived from the seed, the
// account and the kind of data, so the lazy usage rows do not depend on what else was
// generated or in what order.

const STREAM = { usage: 1, profile: 2, tickets: 3, surveys: 4, notes: 5, outcomes: 6 } as const;

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) h = fmix32(Math.imul(h, 0x01000193) ^ (part >>> 0));
  return h;
}

// ---------------------------------------------------------------------------------
// Calendar. Days are counted relative to `asOf` (0 = asOf, -1 = the day before).

function dayAt(asOf: Date, offset: number): Date {
  return new Date(asOf.getTime() + offset * DAY_MS);
}

function offsetOf(asOf: Date, date: Date): number {
  return Math.round((date.getTime() - asOf.getTime()) / DAY_MS);
}

/** Contract anniversaries fall on the same calendar day; 29 February becomes 1 March. */
function addYears(date: Date, years: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()));
}

/** A moment during North American office hours (in UTC) of the given day. */
function officeHours(asOf: Date, offset: number, rng: Random): Date {
  return new Date(dayAt(asOf, offset).getTime() + rng.int(13, 22) * HOUR_MS + rng.int(0, 59) * 60_000);
}

function isWeekend(asOf: Date, offset: number): boolean {
  const weekday = dayAt(asOf, offset).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

// ---------------------------------------------------------------------------------
// Word lists.

const CSMS: readonly (Csm & { segment: Segment })[] = [
  {
    name: 'Dana Reyes',
    email: 'dana.reyes@canary-demo.example',
    slackId: 'U04DR7N2K1Q',
    segment: 'enterprise',
  },
  {
    name: 'Marcus Chen',
    email: 'marcus.chen@canary-demo.example',
    slackId: 'U04MC9P3L2W',
    segment: 'enterprise',
  },
  {
    name: 'Priya Natarajan',
    email: 'priya.natarajan@canary-demo.example',
    slackId: 'U05PN4T8R3E',
    segment: 'mid_market',
  },
  {
    name: 'Tom Okafor',
    email: 'tom.okafor@canary-demo.example',
    slackId: 'U05TO6K2F4R',
    segment: 'mid_market',
  },
  {
    name: 'Sofia Lindqvist',
    email: 'sofia.lindqvist@canary-demo.example',
    slackId: 'U06SL3Q7V5T',
    segment: 'smb',
  },
  { name: 'Jamal Brooks', email: 'jamal.brooks@canary-demo.example', slackId: 'U06JB8M1X6Y', segment: 'smb' },
  {
    name: 'Elena Petrova',
    email: 'elena.petrova@canary-demo.example',
    slackId: 'U07EP2H9Z7U',
    segment: 'smb',
  },
];

const INDUSTRIES: readonly (readonly [string, number])[] = [
  ['Software', 22],
  ['Financial Services', 14],
  ['Healthcare', 12],
  ['Retail', 11],
  ['Manufacturing', 12],
  ['Education', 9],
  ['Media', 8],
  ['Logistics', 12],
];

// How busy a weekend is compared with a weekday, by industry: hospitals, shops and
// warehouses work on Saturdays, banks and schools mostly do not.
const WEEKEND_ACTIVITY: Readonly<Record<string, number>> = {
  Software: 0.3,
  'Financial Services': 0.22,
  Healthcare: 0.7,
  Retail: 0.8,
  Manufacturing: 0.45,
  Education: 0.28,
  Media: 0.55,
  Logistics: 0.65,
};

const NAME_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  Software: ['Software', 'Labs', 'Systems', 'Analytics', 'Cloud', 'Technologies', 'Digital'],
  'Financial Services': ['Capital', 'Financial', 'Bank', 'Credit Union', 'Insurance', 'Wealth', 'Payments'],
  Healthcare: ['Health', 'Medical Group', 'Clinics', 'Care', 'Diagnostics', 'Pharmacy', 'Hospital'],
  Retail: ['Outfitters', 'Market', 'Home Goods', 'Apparel', 'Grocers', 'Supply Co.', 'Boutiques'],
  Manufacturing: ['Industries', 'Manufacturing', 'Components', 'Fabrication', 'Plastics', 'Machine Works'],
  Education: ['College', 'Academy', 'Learning', 'School District', 'Institute', 'University'],
  Media: ['Media', 'Studios', 'Publishing', 'Broadcasting', 'Press', 'Entertainment'],
  Logistics: ['Logistics', 'Freight', 'Shipping', 'Transport', 'Distribution', 'Cargo'],
};

// prettier-ignore
const NAME_PREFIXES = [
  'North', 'Blue', 'Silver', 'Iron', 'Oak', 'Cedar', 'Bright', 'Stone', 'Clear', 'Red',
  'Green', 'High', 'River', 'Harbor', 'Maple', 'Pine', 'Gold', 'Swift', 'True', 'Lake',
  'Copper', 'Sun', 'Star', 'Wind', 'Fair', 'Kings', 'West', 'East', 'Grand', 'Summit',
];
// prettier-ignore
const NAME_STEMS = [
  'field', 'stone', 'ridge', 'wood', 'gate', 'point', 'bridge', 'view', 'brook', 'haven',
  'line', 'crest', 'peak', 'well', 'light', 'vale', 'port', 'mark', 'water', 'land',
];

// Partnerships are named after their founders, which puts commas in company names.
// prettier-ignore
const FOUNDERS = [
  'Hale', 'Ortiz', 'Whitman', 'Barker', 'Nakamura', 'Sloane', 'Adebayo', 'Kowalski',
  'Fitzgerald', 'Moreau', 'Lindgren', 'Castillo', 'Brennan', 'Okonkwo', 'Vance', 'Holloway',
];

// prettier-ignore
const FIRST_NAMES = [
  'alex', 'maria', 'james', 'li', 'fatima', 'david', 'sarah', 'kenji', 'olivia', 'rahul',
  'emma', 'lucas', 'aisha', 'noah', 'chloe', 'mateo', 'hannah', 'omar', 'grace', 'ben',
  'zoe', 'ivan', 'mei', 'samuel', 'nora', 'diego', 'leah', 'tariq', 'ruth', 'felix',
];
// prettier-ignore
const LAST_NAMES = [
  'smith', 'garcia', 'kim', 'nguyen', 'patel', 'müller', 'rossi', 'silva', 'cohen', 'ali',
  'johnson', 'brown', 'tanaka', 'dubois', 'novak', 'larsen', 'walsh', 'mensah', 'haddad', 'lopez',
  'wright', 'khan', 'evans', 'sato', 'green', 'fischer', 'reid', 'torres', 'yilmaz', 'ward',
];

const TICKET_SUBJECTS: Readonly<Record<TicketPriority, readonly string[]>> = {
  P1: [
    'Production outage: dashboards not loading',
    'SSO login failing for all users',
    'Data sync stopped overnight',
    'API returning 500 errors on every request',
    'Scheduled reports sending blank PDFs',
    'Users locked out after password policy change',
  ],
  P2: [
    'Report export times out for large date ranges',
    'Webhook deliveries delayed by several hours',
    'CRM sync skipping some records',
    'Mobile app crashes on launch (iOS)',
    'Error "access denied" on shared dashboards',
    'Slow page loads in the EU region',
  ],
  P3: [
    'How do I add a custom field to accounts?',
    'Invoice question, PO number missing',
    'CSV import rejects dates in DD/MM/YYYY format',
    'Need help setting up SAML for a new team',
    'Chart colours wrong in exported slides',
    'Please merge duplicate user accounts',
    'Email notifications landing in spam',
    'How to restrict "viewer" role from exporting?',
  ],
  P4: [
    'Feature request: dark mode',
    'Typo on the billing page',
    'Feature request: bulk edit tags',
    'Can we change our account owner?',
    'Training session for new hires',
    'Suggestion: keyboard shortcuts in the editor',
  ],
};

// A ticket burst is one incident seen from several angles, as it is in a real helpdesk.
const INCIDENTS: readonly (readonly string[])[] = [
  [
    'Data sync failing since the last release',
    'Sync still failing after retry, data two days stale',
    'Dashboards showing stale numbers',
    'Sync jobs fail with "rate limit exceeded"',
    'Nightly import did not run',
    'Sync failure blocking our month-end close',
  ],
  [
    'SSO login loop for all users',
    'Users cannot log in after IdP certificate rotation',
    'Admins locked out, SSO bypass not working',
    'Login errors again this morning',
    'New hires cannot activate accounts',
    'SSO outage: sales team blocked',
  ],
  [
    'App extremely slow, pages time out',
    'Reports take minutes to load',
    'Timeouts on the account list, again',
    'Performance degraded for the whole team',
    'API latency above 30s',
    'Exports failing with gateway timeout',
  ],
];

const NPS_COMMENTS = {
  promoter: [
    'Our team lives in the dashboards every day.',
    'Support is fast, friendly and actually fixes things.',
    'Smoothest rollout we have done this year.',
    'The weekly report saves me an hour, every Monday.',
    'Great product, great people.',
    'Easy to recommend; our sister company just signed up.',
    'Love the "health at a glance" view, my execs read it.',
    'Onboarding was quick and the CSM knows our business.',
    'It replaced three spreadsheets and a weekly meeting.',
    'Reliable, fast, and the API is a joy to work with.',
  ],
  passive: [
    'Solid product, reporting could be more flexible.',
    'Good overall, but the mobile app lags behind the web.',
    'Works well once set up; setup took longer than promised.',
    'Pricing is hard to justify for occasional users.',
    'Fine for now. We would like "custom roles" soon.',
    'Does the job, exports are slow.',
    'Good tool, but the admin settings are confusing.',
    'We use a fraction of it; more training would help.',
    'Nice dashboards, permissions are too coarse.',
  ],
  detractor: [
    'Too many outages lately, and support is slow to respond.',
    'We struggle to get the team to log in.',
    'The integration with our CRM keeps breaking.',
    'Hard to use, training did not stick.',
    'Not sure we get value for the price.',
    'Features promised "next quarter" never arrived.',
    'Data is often out of date, so nobody trusts it.',
    'Renewal price went up, value did not.',
  ],
} as const;

const CSAT_COMMENTS = {
  good: [
    'Helpful session, thanks!',
    'Onboarding call was clear and practical.',
    'Quick answer, problem solved.',
    'Great training, the team is confident now.',
  ],
  poor: [
    'Took three calls to get an answer.',
    'Training was too basic for our admins.',
    'Still waiting on the follow-up, a week later.',
  ],
} as const;

const NOTES: Readonly<Record<NoteSentiment, readonly string[]>> = {
  positive: [
    'Great QBR; exec sponsor happy with adoption.',
    'Champion shared our dashboards with the leadership team.',
    'Asked about adding seats for the finance team.',
    'QBR recap:\n- adoption up across regions\n- asked about the analytics add-on',
    'Renewal conversation started early, very positive.',
    'Ops team built their weekly review around our reports.',
    'Sponsor mentioned us in their all-hands, adoption push planned.',
    'Admin training done; the team is self-sufficient now.',
  ],
  neutral: [
    'Quiet quarter; usage steady, no open issues.',
    'New admin onboarded, walked through settings.',
    'Check-in call: no blockers, wants a roadmap preview.',
    'Sync call recap:\n- migrating SSO provider next month\n- no change to seat count',
    'Handover to a new admin in progress, documentation shared.',
    'Asked for pricing of the enterprise plan, no decision yet.',
    'Usage steady; suggested a workshop for the new regional team.',
  ],
  negative: [
    'Exec sponsor skeptical about ROI, wants a value review.',
    'Frustrated with recent support response times.',
    'Budget review coming; seats under scrutiny.',
    'Champion is leaving the company at month end.',
    'Complained about the last release breaking their workflow.',
    'Procurement asking for a discount or a smaller plan.',
  ],
};

const STORY_NOTES: Readonly<Record<Exclude<StoryKind, 'healthy'>, readonly [NoteSentiment, string][]>> = {
  declining: [
    ['negative', 'Champion left two weeks ago; the new team has barely logged in.'],
    ['negative', 'Reorg moved the main user group to another tool, usage falling.'],
    ['neutral', 'Missed the last two check-ins; admin says "priorities changed".'],
  ],
  ticket_burst: [
    ['negative', "Escalation call booked after this week's outages; CTO cc'd."],
    ['negative', 'Customer frustrated by repeated P1s, asked for an RCA by Friday.'],
  ],
  promoter: [
    ['positive', 'Champion offered to speak on our customer webinar.'],
    ['positive', 'Happy to be a reference, asked how the referral program works.'],
    ['positive', 'Exec sponsor called the rollout "the best vendor launch this year".'],
  ],
  churned: [
    ['negative', "Budget cut; consolidating onto a competitor's suite."],
    ['negative', 'Lost the exec sponsor, the new VP is moving to an in-house tool.'],
    ['negative', 'Told us they will not renew, "too expensive for what we use".'],
  ],
  renewed: [
    ['positive', 'Renewed after a strong QBR; exploring the analytics add-on.'],
    ['positive', 'Signed the renewal early, procurement was smooth.'],
  ],
};

const CHURN_REASONS = [
  'Did not renew: consolidated onto a competitor',
  'Did not renew: budget cut',
  'Did not renew: moved to an in-house tool',
  'Did not renew: low adoption after champion left',
];
const EXPANSION_NOTES = [
  'Expanded: seats added for a new team',
  'Expanded: upgraded plan at renewal',
  'Expanded: new region rolled out',
];
const CONTRACTION_NOTES = [
  'Contracted: seats reduced after a reorg',
  'Contracted: downgraded plan at renewal',
  'Contracted: unused seats removed',
];

// ---------------------------------------------------------------------------------
// Accounts.

const SEGMENTS: readonly (readonly [Segment, number])[] = [
  ['smb', 55],
  ['mid_market', 30],
  ['enterprise', 15],
];

const ARR_RANGE: Readonly<Record<Segment, readonly [number, number]>> = {
  smb: [5_000, 40_000],
  mid_market: [30_000, 150_000],
  enterprise: [120_000, 500_000],
};

const PLANS: Readonly<Record<Segment, readonly (readonly [Plan, number])[]>> = {
  smb: [
    ['starter', 60],
    ['growth', 40],
  ],
  mid_market: [
    ['growth', 55],
    ['business', 45],
  ],
  enterprise: [
    ['business', 30],
    ['enterprise', 70],
  ],
};

// Dollars per seat per year; large contracts buy seats in volume, hence the dip.
const SEAT_PRICE: Readonly<Record<Plan, readonly [number, number]>> = {
  starter: [240, 360],
  growth: [360, 540],
  business: [420, 640],
  enterprise: [300, 480],
};

const PLAN_FEATURES: Readonly<Record<Plan, number>> = {
  starter: 8,
  growth: 14,
  business: 20,
  enterprise: 28,
};

// Share of assigned seats active on an ordinary weekday: small teams all use the tool,
// large rollouts include many occasional users.
const ENGAGEMENT: Readonly<Record<Segment, readonly [number, number]>> = {
  smb: [0.5, 0.8],
  mid_market: [0.42, 0.72],
  enterprise: [0.35, 0.62],
};

interface Draft {
  externalId: string;
  name: string;
  domain: string;
  industry: string;
  segment: Segment;
  plan: Plan;
  arr: number;
  seatsPurchased: number;
  owner: Csm;
}

function draftAccounts(rng: Random, count: number): Draft[] {
  const names = new Set<string>();
  const domains = new Set<string>();
  const owners = new Map<Segment, Csm[]>();
  for (const csm of CSMS) owners.set(csm.segment, [...(owners.get(csm.segment) ?? []), csm]);
  const assigned = new Map<Segment, number>();
  const drafts: Draft[] = [];
  for (let i = 0; i < count; i++) {
    const segment = rng.weighted(SEGMENTS);
    const industry = rng.weighted(INDUSTRIES);
    const { name, domain } = companyIdentity(rng, industry, names, domains);
    const plan = rng.weighted(PLANS[segment]);
    const [low, high] = ARR_RANGE[segment];
    // Skewed towards the low end: many small contracts, few large ones.
    const quoted = low * (high / low) ** (rng.next() ** 1.6);
    const arr = clamp(roundTo(quoted, quoted >= 100_000 ? 1_000 : 100), 5_000, 500_000);
    const [minPrice, maxPrice] = SEAT_PRICE[plan];
    const seatsPurchased = Math.max(5, Math.round(arr / rng.between(minPrice, maxPrice)));
    // Round-robin within the segment team keeps books of business even.
    const team = owners.get(segment) ?? [];
    const turn = assigned.get(segment) ?? 0;
    assigned.set(segment, turn + 1);
    drafts.push({
      externalId: `ACC-${String(i + 1).padStart(4, '0')}`,
      name,
      domain,
      industry,
      segment,
      plan,
      arr,
      seatsPurchased,
      owner: at(team, turn % team.length),
    });
  }
  return drafts;
}

function companyIdentity(
  rng: Random,
  industry: string,
  names: Set<string>,
  domains: Set<string>,
): { name: string; domain: string } {
  for (;;) {
    const identity =
      industry === 'Financial Services' && rng.chance(0.15) ? partnership(rng) : brand(rng, industry);
    if (names.has(identity.name) || domains.has(identity.domain)) continue;
    names.add(identity.name);
    domains.add(identity.domain);
    return identity;
  }
}

function brand(rng: Random, industry: string): { name: string; domain: string } {
  const root = rng.pick(NAME_PREFIXES) + rng.pick(NAME_STEMS);
  const suffix = rng.pick(NAME_SUFFIXES[industry] ?? []);
  const stem = rng.chance(0.5)
    ? slug(root)
    : `${slug(root)}${rng.chance(0.3) ? '-' : ''}${slug(suffix.split(' ')[0] ?? '')}`;
  return { name: `${root} ${suffix}`, domain: `${stem}.${topLevelDomain(rng, industry, suffix)}` };
}

function partnership(rng: Random): { name: string; domain: string } {
  const [first, second] = rng.sample(FOUNDERS, 2) as [string, string];
  const form = rng.pick(['& Co.', '& Partners', '& Associates']);
  return { name: `${first}, ${second} ${form}`, domain: `${slug(first + second)}.com` };
}

function topLevelDomain(rng: Random, industry: string, suffix: string): string {
  if (industry === 'Software') return rng.pick(['io', 'com', 'com', 'ai']);
  if (industry === 'Education') return suffix === 'College' || suffix === 'University' ? 'edu' : 'org';
  return rng.pick(['com', 'com', 'com', 'co', 'net']);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// ---------------------------------------------------------------------------------
// Stories.

type Story = Exclude<StoryKind, 'healthy'>;

const STORY_SHARE: Readonly<Record<Story, number>> = {
  churned: 0.035,
  declining: 0.04,
  ticket_burst: 0.035,
  promoter: 0.05,
  renewed: 0.035,
};

// A decline is only convincing on a team big enough for a 40% fall to be more than
// rounding: a handful of users cannot lose 40% smoothly.
const MIN_DECLINING_SEATS = 30;

/** Chooses each story's accounts across segments and, within a segment, across ARR. */
function castStories(rng: Random, drafts: readonly Draft[]): StoryKind[] {
  const stories: StoryKind[] = drafts.map(() => 'healthy');
  for (const [story, share] of Object.entries(STORY_SHARE) as [Story, number][]) {
    const wanted = Math.max(3, Math.round(drafts.length * share));
    const enterprise = Math.max(1, Math.round(wanted * 0.25));
    const midMarket = Math.max(1, Math.round(wanted * 0.35));
    const quota: [Segment, number][] = [
      ['enterprise', enterprise],
      ['mid_market', midMarket],
      ['smb', wanted - enterprise - midMarket],
    ];
    const eligible = (i: number): boolean =>
      stories[i] === 'healthy' &&
      (story !== 'declining' || at(drafts, i).seatsPurchased >= MIN_DECLINING_SEATS);
    let shortfall = 0;
    for (const [segment, count] of quota) {
      const pool = drafts
        .map((draft, i) => ({ draft, i }))
        .filter(({ draft, i }) => draft.segment === segment && eligible(i))
        .sort((a, b) => a.draft.arr - b.draft.arr);
      const taken = Math.min(count, pool.length);
      // One pick per ARR stratum spreads the story from small to large contracts.
      for (let j = 0; j < taken; j++) {
        stories[at(pool, Math.floor(((j + rng.next()) * pool.length) / taken)).i] = story;
      }
      shortfall += count - taken;
    }
    const rest = drafts.map((_, i) => i).filter(eligible);
    for (const i of rng.sample(rest, shortfall)) stories[i] = story;
  }
  return stories;
}

// ---------------------------------------------------------------------------------
// Profiles: everything about an account that its signals are drawn from.

interface Profile {
  index: number;
  account: DemoAccount;
  story: StoryKind;
  /** Contract start, in days relative to asOf. */
  startOffset: number;
  /** Past contract anniversaries, oldest first; each has an outcome. */
  anniversaries: Date[];
  /** Day the contract ended without renewal, or null. */
  churnOffset: number | null;
  /** Churned: days over which usage collapses before the churn. */
  collapseDays: number;
  /** Declining: how far activity falls over the last two weeks. */
  declineDepth: number;
  engagement: number;
  weekendActivity: number;
  /** Seats used / seats purchased at asOf, and its relative change over the window. */
  utilisation: number;
  utilisationDrift: number;
  /** Relative change of activity over the window. */
  trend: number;
  noise: number;
  loginsPerUser: number;
  featureDepth: number;
  /** Mean NPS this account's people would give. */
  mood: number;
  burstSize: number;
  burstOpen: number;
  contacts: string[];
}

function buildProfile(draft: Draft, story: StoryKind, index: number, rng: Random, asOf: Date): Profile {
  const { start, churnedOn } = contractStart(story, rng, asOf);
  const anniversaries: Date[] = [];
  let renewalDate = addYears(start, 1);
  for (let years = 1; renewalDate.getTime() <= asOf.getTime(); renewalDate = addYears(start, ++years)) {
    anniversaries.push(renewalDate);
  }
  const startOffset = offsetOf(asOf, start);
  const churnOffset = churnedOn === null ? null : offsetOf(asOf, churnedOn);
  const account: DemoAccount = {
    externalId: draft.externalId,
    name: draft.name,
    domain: draft.domain,
    industry: draft.industry,
    segment: draft.segment,
    lifecycleStage: lifecycleStage(-startOffset, offsetOf(asOf, renewalDate), churnedOn !== null),
    plan: draft.plan,
    arr: draft.arr,
    seatsPurchased: draft.seatsPurchased,
    contractStart: start,
    renewalDate: churnedOn ?? renewalDate,
    ownerEmail: draft.owner.email,
    ownerSlackId: draft.owner.slackId,
  };
  const [minEngagement, maxEngagement] = ENGAGEMENT[draft.segment];
  const promoter = story === 'promoter';
  const burstSize = story === 'ticket_burst' ? rng.int(4, 6) : 0;
  return {
    index,
    account,
    story,
    startOffset,
    anniversaries,
    churnOffset,
    collapseDays: story === 'churned' ? rng.int(30, 45) : 0,
    declineDepth: story === 'declining' ? rng.between(0.38, 0.46) : 0,
    engagement: promoter ? rng.between(0.72, 0.88) : rng.between(minEngagement, maxEngagement),
    weekendActivity: (WEEKEND_ACTIVITY[draft.industry] ?? 0.4) * rng.between(0.85, 1.15),
    utilisation: promoter ? rng.between(0.9, 0.97) : rng.between(0.6, 0.92),
    utilisationDrift: promoter ? rng.between(0, 0.02) : rng.between(-0.04, 0.06),
    trend: storyTrend(story, rng),
    // Quieter than ordinary accounts, so that a story stands clear of day-to-day noise.
    noise: story === 'declining' ? 0.02 : promoter ? 0.03 : 0.045,
    loginsPerUser: rng.between(1.2, 2.6),
    featureDepth: promoter ? rng.between(0.7, 0.9) : rng.between(0.35, 0.8),
    mood: storyMood(story, rng),
    burstSize,
    burstOpen: Math.min(burstSize, rng.int(2, 3)),
    contacts: contacts(rng, draft),
  };
}

// Days since contract start: a few accounts still onboarding, most past their first year.
const TENURE_DAYS: readonly (readonly [readonly [number, number], number])[] = [
  [[USAGE_DAYS, 179], 10],
  [[180, 364], 22],
  [[365, 5 * 365], 68],
];

function lastAnniversary(profile: Profile): Date {
  return at(profile.anniversaries, profile.anniversaries.length - 1);
}

function contractStart(story: StoryKind, rng: Random, asOf: Date): { start: Date; churnedOn: Date | null } {
  if (story === 'churned') {
    // Churned within the usage window, late enough that the collapse before it is visible.
    const years = rng.int(1, 3);
    const start = addYears(dayAt(asOf, rng.int(-55, -21)), -years);
    return { start, churnedOn: addYears(start, years) };
  }
  if (story === 'renewed') {
    return { start: addYears(dayAt(asOf, rng.int(-100, -7)), -rng.int(1, 4)), churnedOn: null };
  }
  // Every account started before the usage window, so each has 120 days of history; a
  // story needs a settled account behind it.
  const minTenure = { declining: 240, ticket_burst: 180, promoter: 365, healthy: USAGE_DAYS }[story];
  for (;;) {
    const [shortest, longest] = rng.weighted(TENURE_DAYS);
    if (longest >= minTenure) {
      return { start: dayAt(asOf, -rng.int(Math.max(shortest, minTenure), longest)), churnedOn: null };
    }
  }
}

function lifecycleStage(tenureDays: number, daysToRenewal: number, churned: boolean): LifecycleStage {
  // A churned account stays at the stage it left from: its renewal.
  if (churned) return 'renewing';
  if (tenureDays < 180) return 'onboarding';
  if (daysToRenewal <= 90) return 'renewing';
  return tenureDays < 365 ? 'adopting' : 'mature';
}

function storyTrend(story: StoryKind, rng: Random): number {
  switch (story) {
    case 'healthy':
    case 'ticket_burst':
      return rng.between(-0.1, 0.12);
    case 'promoter':
      return rng.between(0, 0.05);
    case 'renewed':
      return rng.between(0, 0.08);
    case 'declining':
    case 'churned':
      // Their stories bring their own fall; a drift would blur the baseline.
      return 0;
  }
}

function storyMood(story: StoryKind, rng: Random): number {
  switch (story) {
    case 'promoter':
      return 9.1;
    case 'churned':
      return 5;
    case 'renewed':
      return clamp(rng.normal(8.2, 0.6), 7, 9.5);
    case 'declining':
      return clamp(rng.normal(6.8, 1), 4, 9);
    case 'healthy':
    case 'ticket_burst':
      return clamp(rng.normal(7.6, 1.1), 3.5, 9.5);
  }
}

function contacts(rng: Random, draft: Draft): string[] {
  const size = { smb: rng.int(3, 5), mid_market: rng.int(5, 8), enterprise: rng.int(8, 14) }[draft.segment];
  const people = new Set<string>();
  while (people.size < size) people.add(`${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}@${draft.domain}`);
  return [...people];
}

// ---------------------------------------------------------------------------------
// Usage.

const ONBOARDING_RAMP_DAYS = 150;

function* accountUsage(profile: Profile, rng: Random, asOf: Date): Generator<DemoUsageDay> {
  const { account } = profile;
  const features = PLAN_FEATURES[account.plan];
  const weekJitter = Array.from({ length: Math.ceil(USAGE_DAYS / 7) + 1 }, () => rng.normal(0, 0.01));
  let noise = 0;
  for (let day = FIRST_DAY; day <= 0; day++) {
    const progress = (day - FIRST_DAY) / (USAGE_DAYS - 1);
    const ramp = Math.min(1, 0.35 + (0.65 * (day - profile.startOffset)) / ONBOARDING_RAMP_DAYS);
    const { activity: collapse, seats: deprovisioned } = churnCollapse(profile, day);
    const seatShare =
      profile.utilisation *
      (1 + profile.utilisationDrift * (progress - 1)) *
      ramp *
      (1 + at(weekJitter, Math.floor((day - FIRST_DAY) / 7))) *
      deprovisioned;
    const seatsUsed = clamp(Math.round(account.seatsPurchased * seatShare), 0, account.seatsPurchased);
    // Autocorrelated noise: busy and quiet spells last a few days, as real teams' do.
    noise = 0.6 * noise + rng.normal(0, profile.noise);
    const activity =
      weekdayActivity(profile, dayAt(asOf, day).getUTCDay()) *
      (1 + profile.trend * progress) *
      decline(profile, day) *
      collapse *
      Math.exp(noise);
    const activeUsers = clamp(Math.round(seatsUsed * profile.engagement * activity), 0, seatsUsed);
    const logins =
      activeUsers === 0
        ? 0
        : Math.max(
            activeUsers,
            Math.round(activeUsers * profile.loginsPerUser * Math.exp(rng.normal(0, profile.noise))),
          );
    const featuresUsed =
      activeUsers === 0
        ? 0
        : clamp(
            Math.round(
              features *
                profile.featureDepth *
                Math.min(1.15, activity) ** 0.35 *
                Math.exp(rng.normal(0, 0.06)),
            ),
            1,
            features,
          );
    yield {
      accountExternalId: account.externalId,
      date: dayAt(asOf, day),
      activeUsers,
      logins,
      seatsUsed,
      featuresUsed,
    };
  }
}

function weekdayActivity(profile: Profile, weekday: number): number {
  if (weekday === 0 || weekday === 6) return profile.weekendActivity;
  if (weekday === 1) return 1.04;
  return weekday === 5 ? 0.93 : 1;
}

/** Declining accounts lose activity over days -13..-4, then hold at the lower level. */
function decline(profile: Profile, day: number): number {
  if (profile.declineDepth === 0 || day <= -14) return 1;
  return 1 - profile.declineDepth * Math.min(1, (day + 14) / 10);
}

/** Before a churn activity fades first; seats are handed back only near the end. */
function churnCollapse(profile: Profile, day: number): { activity: number; seats: number } {
  if (profile.churnOffset === null) return { activity: 1, seats: 1 };
  if (day >= profile.churnOffset) return { activity: 0, seats: 0 };
  const progress = (day - (profile.churnOffset - profile.collapseDays)) / profile.collapseDays;
  if (progress <= 0) return { activity: 1, seats: 1 };
  return { activity: 1 - 0.95 * progress ** 0.8, seats: 1 - 0.85 * progress ** 2 };
}

// ---------------------------------------------------------------------------------
// Tickets.

type DraftTicket = Omit<DemoTicket, 'ticketId'>;

const PRIORITIES: readonly (readonly [TicketPriority, number])[] = [
  ['P1', 3],
  ['P2', 14],
  ['P3', 50],
  ['P4', 33],
];
// Promoters still file tickets, but nothing that would count as an escalation.
const PROMOTER_PRIORITIES: readonly (readonly [TicketPriority, number])[] = [
  ['P2', 6],
  ['P3', 50],
  ['P4', 44],
];

// Hours to resolution, drawn log-uniformly: P1 within hours, P4 within days.
const RESOLUTION_HOURS: Readonly<Record<TicketPriority, readonly [number, number]>> = {
  P1: [1, 12],
  P2: [4, 48],
  P3: [24, 144],
  P4: [48, 336],
};

// prettier-ignore
const CSAT_SCORES = {
  good: [[5, 50], [4, 28], [3, 12], [2, 6], [1, 4]],
  mixed: [[5, 25], [4, 30], [3, 25], [2, 12], [1, 8]],
  poor: [[5, 5], [4, 15], [3, 30], [2, 28], [1, 22]],
} as const satisfies Record<string, readonly (readonly [number, number])[]>;

/** The last ten days, day 0 included, where a burst of escalations stands out. */
const RECENT_DAYS = 10;

function accountTickets(profile: Profile, rng: Random, asOf: Date): DraftTicket[] {
  const end = dayAt(asOf, 1);
  const lastDay = profile.churnOffset === null ? 0 : profile.churnOffset - 1;
  const volume =
    (1.2 + 0.35 * profile.account.seatsPurchased ** 0.55) * ((lastDay - FIRST_DAY + 1) / USAGE_DAYS);
  const tickets: DraftTicket[] = [];
  let recentEscalations = 0;
  for (let n = rng.poisson(volume); n > 0; n--) {
    let day = rng.int(FIRST_DAY, lastDay);
    if (isWeekend(asOf, day)) day = rng.int(FIRST_DAY, lastDay);
    let priority = rng.weighted(profile.story === 'promoter' ? PROMOTER_PRIORITIES : PRIORITIES);
    const escalation = priority === 'P1' || priority === 'P2';
    // Outside the stories, escalations stay rare enough not to look like a burst, and a
    // promoter's only P2s are long resolved.
    if (escalation && day > -RECENT_DAYS && (recentEscalations++ > 0 || profile.story === 'promoter')) {
      priority = 'P3';
    }
    const openedAt = officeHours(asOf, day, rng);
    tickets.push(
      ticket(profile, rng, end, { openedAt, priority, subject: rng.pick(TICKET_SUBJECTS[priority]) }),
    );
  }
  if (profile.burstSize > 0) {
    const incident = rng.pick(INCIDENTS);
    const opened = Array.from({ length: profile.burstSize }, () =>
      officeHours(asOf, rng.int(-8, 0), rng),
    ).sort((a, b) => a.getTime() - b.getTime());
    opened.forEach((openedAt, i) => {
      const priority = rng.chance(0.4) ? 'P1' : 'P2';
      const stillOpen = i >= opened.length - profile.burstOpen;
      tickets.push(
        ticket(profile, rng, end, { openedAt, priority, subject: at(incident, i), stillOpen, burst: true }),
      );
    });
  }
  return tickets;
}

function ticket(
  profile: Profile,
  rng: Random,
  end: Date,
  spec: { openedAt: Date; priority: TicketPriority; subject: string; stillOpen?: boolean; burst?: boolean },
): DraftTicket {
  const { openedAt, priority } = spec;
  const [fastest, slowest] = RESOLUTION_HOURS[priority];
  // A few routine tickets get stuck for weeks: the ageing tickets a CSM should chase.
  const stuck = (priority === 'P3' || priority === 'P4') && rng.chance(0.06);
  const hours = stuck ? rng.between(240, 960) : Math.exp(rng.between(Math.log(fastest), Math.log(slowest)));
  const resolvedAt = new Date(openedAt.getTime() + Math.round(hours * 60) * 60_000);
  const resolved = !spec.stillOpen && resolvedAt.getTime() < end.getTime();
  const tone =
    spec.burst || priority === 'P1' || profile.mood < 5.5
      ? 'poor'
      : profile.mood < 7 || stuck
        ? 'mixed'
        : 'good';
  const csat = resolved && rng.chance(0.45) ? rng.weighted(CSAT_SCORES[tone]) : null;
  return {
    accountExternalId: profile.account.externalId,
    subject: spec.subject,
    status: resolved ? settledStatus(resolvedAt, end) : rng.chance(0.3) ? 'pending' : 'open',
    priority,
    openedAt,
    resolvedAt: resolved ? resolvedAt : null,
    csat,
    sentiment: rng.chance(0.75) ? ticketSentiment(rng, priority, csat) : null,
  };
}

/** Resolved tickets close automatically three days after resolution. */
function settledStatus(resolvedAt: Date, end: Date): TicketStatus {
  return end.getTime() - resolvedAt.getTime() > 3 * DAY_MS ? 'closed' : 'resolved';
}

function ticketSentiment(rng: Random, priority: TicketPriority, csat: number | null): number {
  const mean = csat === null ? { P1: -0.6, P2: -0.3, P3: 0, P4: 0.15 }[priority] : ((csat - 3) / 2) * 0.7;
  return Math.round(clamp(rng.normal(mean, 0.2), -1, 1) * 100) / 100;
}

// ---------------------------------------------------------------------------------
// Surveys: NPS about once a quarter to a few people per account, CSAT now and then
// after a training or a review.

type DraftResponse = Omit<DemoSurveyResponse, 'responseId'>;

const NPS_ROUNDS = 4;
const RESPONDENTS: Readonly<Record<Segment, readonly [number, number]>> = {
  smb: [1, 2],
  mid_market: [2, 4],
  enterprise: [3, 6],
};

function accountSurveys(profile: Profile, rng: Random, asOf: Date): DraftResponse[] {
  const end = dayAt(asOf, 1);
  const { account } = profile;
  const active = (day: number): boolean =>
    day >= profile.startOffset + 30 && (profile.churnOffset === null || day < profile.churnOffset);
  const responses: DraftResponse[] = [];
  // A promoter's latest round is recent, so its 9s and 10s are the latest word.
  const phase = profile.story === 'promoter' ? rng.int(10, 40) : rng.int(0, 90);
  for (let round = 0; round < NPS_ROUNDS; round++) {
    const sent = -phase - 91 * round + (round === 0 ? 0 : rng.int(-7, 7));
    const [fewest, most] = RESPONDENTS[account.segment];
    for (const respondent of rng.sample(profile.contacts, rng.int(fewest, most))) {
      const day = sent + rng.int(0, 6);
      const respondedAt = officeHours(asOf, day, rng);
      if (!active(sent) || !active(day) || respondedAt.getTime() >= end.getTime()) continue;
      const souring = profile.churnOffset !== null && sent >= profile.churnOffset - 100 ? 1.5 : 0;
      const score =
        profile.story === 'promoter' && round === 0
          ? rng.int(9, 10)
          : clamp(Math.round(rng.normal(profile.mood - souring, 1.3)), 0, 10);
      const band = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
      const comment = rng.chance(0.45) ? rng.pick(NPS_COMMENTS[band]) : null;
      responses.push({
        accountExternalId: account.externalId,
        kind: 'nps',
        score,
        comment,
        respondent,
        respondedAt,
      });
    }
  }
  if (rng.chance(0.35)) {
    for (let n = rng.int(1, 2); n > 0; n--) {
      const day = rng.int(
        Math.max(FIRST_DAY, profile.startOffset + 7),
        profile.churnOffset === null ? 0 : profile.churnOffset - 1,
      );
      const score = clamp(Math.round(rng.normal(profile.mood / 2 - 0.3, 0.7)), 1, 5);
      const comment = rng.chance(0.5) ? rng.pick(CSAT_COMMENTS[score >= 4 ? 'good' : 'poor']) : null;
      responses.push({
        accountExternalId: account.externalId,
        kind: 'csat',
        score,
        comment,
        respondent: rng.pick(profile.contacts),
        respondedAt: officeHours(asOf, day, rng),
      });
    }
  }
  return responses;
}

// ---------------------------------------------------------------------------------
// CSM notes.

type DraftNote = Omit<DemoSentimentNote, 'noteId'>;

// How a CSM's notes lean, by how happy the account's people are.
// prettier-ignore
const NOTE_TONE = {
  happy: [['positive', 55], ['neutral', 40], ['negative', 5]],
  content: [['positive', 30], ['neutral', 55], ['negative', 15]],
  unhappy: [['positive', 10], ['neutral', 40], ['negative', 50]],
} as const satisfies Record<string, readonly (readonly [NoteSentiment, number])[]>;

// prettier-ignore
const NOTES_PER_ACCOUNT = [[0, 35], [1, 40], [2, 20], [3, 5]] as const;

function accountNotes(profile: Profile, rng: Random, asOf: Date): DraftNote[] {
  const lastDay = profile.churnOffset === null ? 0 : profile.churnOffset - 1;
  const note = (sentiment: NoteSentiment, text: string, day: number): DraftNote => ({
    accountExternalId: profile.account.externalId,
    author: profile.account.ownerEmail,
    sentiment,
    note: text,
    notedAt: officeHours(asOf, day, rng),
  });
  const notes: DraftNote[] = [];
  const tone = NOTE_TONE[profile.mood >= 8 ? 'happy' : profile.mood >= 6.5 ? 'content' : 'unhappy'];
  for (let n = rng.weighted(NOTES_PER_ACCOUNT); n > 0; n--) {
    const sentiment = rng.weighted(tone);
    // Everyday notes stay clear of the last two weeks, where the stories play out.
    notes.push(note(sentiment, rng.pick(NOTES[sentiment]), rng.int(FIRST_DAY, lastDay - 14)));
  }
  if (profile.story !== 'healthy') {
    const [sentiment, text] = rng.pick(STORY_NOTES[profile.story]);
    const day = {
      declining: () => rng.int(-10, -2),
      ticket_burst: () => rng.int(-3, 0),
      promoter: () => rng.int(-30, -5),
      churned: () => lastDay - rng.int(5, 25),
      renewed: () => offsetOf(asOf, lastAnniversary(profile)) + rng.int(0, 3),
    }[profile.story]();
    notes.push(note(sentiment, text, day));
  }
  return notes;
}

// ---------------------------------------------------------------------------------
// Outcomes: what happened at each past contract anniversary.

// prettier-ignore
const ANNIVERSARY_OUTCOMES = [['renewed', 62], ['expanded', 25], ['contracted', 13]] as const;

function accountOutcomes(profile: Profile, rng: Random): DemoOutcome[] {
  const outcomes: DemoOutcome[] = [];
  // Walked backwards from today's ARR, so the history adds up to the current contract.
  let arr = profile.account.arr;
  for (let i = profile.anniversaries.length - 1; i >= 0; i--) {
    const date = at(profile.anniversaries, i);
    const latest = i === profile.anniversaries.length - 1;
    const outcome: OutcomeKind =
      latest && profile.story === 'churned'
        ? 'churned'
        : latest && profile.story === 'renewed'
          ? 'renewed'
          : rng.weighted(ANNIVERSARY_OUTCOMES);
    const { arrChange, note } = outcomeChange(outcome, arr, rng);
    outcomes.push({ accountExternalId: profile.account.externalId, outcome, date, arrChange, note });
    // A churn ends the contract; the ARR before it is the ARR it lost.
    if (outcome !== 'churned') arr -= arrChange;
  }
  return outcomes.reverse();
}

function outcomeChange(
  outcome: OutcomeKind,
  arrAfter: number,
  rng: Random,
): { arrChange: number; note: string } {
  switch (outcome) {
    case 'churned':
      return { arrChange: -arrAfter, note: rng.pick(CHURN_REASONS) };
    case 'renewed': {
      if (rng.chance(0.5)) return { arrChange: 0, note: 'Renewed at flat ARR' };
      const uplift = rng.int(3, 7);
      return {
        arrChange: roundTo(arrAfter - arrAfter / (1 + uplift / 100), 100),
        note: `Renewed with a ${uplift}% price uplift`,
      };
    }
    case 'expanded':
      return {
        arrChange: roundTo(arrAfter - arrAfter / (1 + rng.between(0.1, 0.45)), 100),
        note: rng.pick(EXPANSION_NOTES),
      };
    case 'contracted':
      return {
        arrChange: -roundTo(arrAfter / (1 - rng.between(0.1, 0.3)) - arrAfter, 100),
        note: rng.pick(CONTRACTION_NOTES),
      };
  }
}

// ---------------------------------------------------------------------------------
// The book.

export function generateBook(options: BookOptions): DemoBook {
  const { seed, asOf } = options;
  const count = options.accounts ?? DEFAULT_ACCOUNTS;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (Number.isNaN(asOf.getTime()) || asOf.getTime() % DAY_MS !== 0) {
    throw new RangeError(`asOf must be a UTC midnight, got ${String(asOf)}`);
  }
  if (!Number.isInteger(count) || count < MIN_ACCOUNTS || count > MAX_ACCOUNTS) {
    throw new RangeError(`accounts must be an integer from ${MIN_ACCOUNTS} to ${MAX_ACCOUNTS}, got ${count}`);
  }
  const root = deriveSeed(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0);
  const stream = (index: number, kind: number): Random => new Random(deriveSeed(root, index + 1, kind));
  const rng = new Random(deriveSeed(root, 0));
  const drafts = draftAccounts(rng, count);
  const cast = castStories(rng, drafts);
  const profiles = drafts.map((draft, i) =>
    buildProfile(draft, at(cast, i), i, stream(i, STREAM.profile), asOf),
  );

  return {
    asOf,
    csms: CSMS.map(({ name, email, slackId }) => ({ name, email, slackId })),
    accounts: profiles.map((profile) => profile.account),
    *usage() {
      for (const profile of profiles) yield* accountUsage(profile, stream(profile.index, STREAM.usage), asOf);
    },
    tickets: numbered(
      profiles.flatMap((p) => accountTickets(p, stream(p.index, STREAM.tickets), asOf)),
      (t) => t.openedAt,
      (t, id) => ({ ticketId: `TKT-${id}`, ...t }),
    ),
    surveys: numbered(
      profiles.flatMap((p) => accountSurveys(p, stream(p.index, STREAM.surveys), asOf)),
      (r) => r.respondedAt,
      (r, id) => ({ responseId: `SRV-${id}`, ...r }),
    ),
    notes: numbered(
      profiles.flatMap((p) => accountNotes(p, stream(p.index, STREAM.notes), asOf)),
      (n) => n.notedAt,
      (n, id) => ({ noteId: `NOTE-${id}`, ...n }),
    ),
    outcomes: profiles
      .flatMap((p) => accountOutcomes(p, stream(p.index, STREAM.outcomes)))
      .sort((a, b) => a.date.getTime() - b.date.getTime()),
    stories: profiles.map((profile) => ({
      story: profile.story,
      accountExternalId: profile.account.externalId,
      note: storyNote(profile),
    })),
  };
}

/** Ids in chronological order, the way a helpdesk or survey tool hands them out. */
function numbered<T, Row>(
  drafts: T[],
  time: (draft: T) => Date,
  toRow: (draft: T, id: string) => Row,
): Row[] {
  return drafts
    .sort((a, b) => time(a).getTime() - time(b).getTime())
    .map((draft, i) => toRow(draft, String(i + 1).padStart(5, '0')));
}

function storyNote(profile: Profile): string {
  switch (profile.story) {
    case 'declining':
      return `active users and logins fall about ${Math.round(profile.declineDepth * 100)}% over the last two weeks after a stable baseline`;
    case 'ticket_burst':
      return `${profile.burstSize} P1/P2 tickets about one incident in the last ${RECENT_DAYS} days, ${profile.burstOpen} still open`;
    case 'promoter':
      return `strong, stable usage at ${Math.round(profile.utilisation * 100)}% seat utilisation, latest NPS 9-10, no open escalations`;
    case 'churned':
      return `churned on ${isoDay(profile.account.renewalDate)} losing ${usd.format(profile.account.arr)} ARR, after usage collapsed over ${profile.collapseDays} days`;
    case 'renewed':
      return `renewed on ${isoDay(lastAnniversary(profile))} with healthy usage; next renewal ${isoDay(profile.account.renewalDate)}`;
    case 'healthy':
      return `ordinary account: steady usage with noise${profile.startOffset > -180 ? ', still onboarding' : ''}`;
  }
}
