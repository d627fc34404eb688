// The one Slack workspace the offline harness pretends to be: its team, the installed
// app and its bot. The fake Web API and the signed-request builders share these ids, so
// a payload built for a test names the same team, app and bot the fake answers for.

export const WORKSPACE = {
  teamId: 'T0CANARY01',
  teamDomain: 'canary-test',
  teamName: 'Canary Test',
  appId: 'A0CANARY01',
  botId: 'B0CANARY01',
  botUserId: 'U0CANARYBOT',
  botName: 'canary',
  /** The bot token the fake accepts; anything else is `invalid_auth`. */
  botToken: 'xoxb-0000000000-canary-test-token',
  /** The deprecated verification token Slack still puts in every payload's `token`. */
  verificationToken: 'fakeVerificationToken0001',
  /** A channel the bot is a member of, present unless a test names its own channels. */
  channel: { id: 'C0GENERAL01', name: 'general' },
  /** A CSM in the directory unless a test names its own users; the payloads' default sender. */
  user: { id: 'U0CSM00001', name: 'casey', email: 'casey@example.com', realName: 'Casey Morgan' },
} as const;
