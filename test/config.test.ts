// Configuration from the environment: commands that do not talk to Slack run without
// any Slack variable; `canary serve` gets its Slack settings checked, Socket Mode when
// an app-level token is set and HTTP otherwise, with one error naming every missing
// or malformed variable and never printing a secret.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SLACK_API_URL, loadConfig, slackConfig } from '../src/config.ts';

const BOT = 'xoxb-1111-2222-botsecretvalue';
const APP = 'xapp-1-A1111-3333-appsecretvalue';
const SIGNING = '8f742231b10e8888abcd99edabc985a5';

const slack = (env: NodeJS.ProcessEnv) => slackConfig(loadConfig(env));

/** The ConfigError slackConfig throws for `env`. */
function slackError(env: NodeJS.ProcessEnv): string {
  try {
    slack(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('needs no Slack variable, for the commands that do not talk to Slack', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('does not judge Slack variables: a malformed one only stops canary serve', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'nonsense', SLACK_API_URL: 'nowhere' })).not.toThrow();
  });
});

describe('slackConfig', () => {
  it('is HTTP mode with a bot token and a signing secret, on slack.com by default', () => {
    expect(slack({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING })).toEqual({
      mode: 'http',
      botToken: BOT,
      signingSecret: SIGNING,
      apiUrl: DEFAULT_SLACK_API_URL,
    });
  });

  it('is Socket Mode when an app-level token is set, which needs no signing secret', () => {
    expect(slack({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP })).toEqual({
      mode: 'socket',
      botToken: BOT,
      appToken: APP,
      apiUrl: DEFAULT_SLACK_API_URL,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(slack({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING, SLACK_APP_TOKEN: '' }).mode).toBe(
      'http',
    );
  });

  it('takes another Web API base URL, ending it with a slash', () => {
    const base = { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING };
    expect(slack({ ...base, SLACK_API_URL: 'http://127.0.0.1:4010/api' }).apiUrl).toBe(
      'http://127.0.0.1:4010/api/',
    );
    expect(slack({ ...base, SLACK_API_URL: 'https://slack-gov.com/api/' }).apiUrl).toBe(
      'https://slack-gov.com/api/',
    );
  });

  it('names every missing variable in one message', () => {
    const message = slackError({});
    expect(message).toMatch(/SLACK_BOT_TOKEN: missing: the Bot User OAuth Token \(xoxb-/);
    expect(message).toMatch(/SLACK_SIGNING_SECRET: missing: .*set SLACK_APP_TOKEN instead for Socket Mode/);
    expect(message).not.toMatch(/SLACK_API_URL/);
  });

  it('names every malformed variable in one message, without printing any value', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxp-9999-usersecretvalue',
      SLACK_SIGNING_SECRET: ' 8f742231b10e 8888 ',
      SLACK_API_URL: 'ftp://user:proxypassword@files.example.com/api/',
    };
    const message = slackError(env);
    expect(message).toMatch(/SLACK_BOT_TOKEN: expected a bot token, starting with xoxb-/);
    expect(message).toMatch(/SLACK_SIGNING_SECRET: expected the Signing Secret/);
    expect(message).toMatch(/SLACK_API_URL: expected an http\(s\) URL/);
    for (const value of ['usersecretvalue', '8f742231b10e', 'proxypassword'])
      expect(message).not.toContain(value);
  });

  it('refuses a token of the wrong kind in each place', () => {
    const message = slackError({ SLACK_BOT_TOKEN: APP, SLACK_APP_TOKEN: BOT });
    expect(message).toMatch(/SLACK_BOT_TOKEN: expected a bot token/);
    expect(message).toMatch(/SLACK_APP_TOKEN: expected an app-level token, starting with xapp-/);
    expect(message).not.toMatch(/SLACK_SIGNING_SECRET/);
    expect(message).not.toContain('secretvalue');
  });

  it('refuses a base URL with a query or a fragment, since method names are appended to it', () => {
    const message = slackError({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SIGNING,
      SLACK_API_URL: 'https://proxy.example.com/api/?key=abc',
    });
    expect(message).toMatch(/SLACK_API_URL: expected a base URL without \?query or #fragment/);
    expect(message).not.toContain('key=abc');
  });
});
