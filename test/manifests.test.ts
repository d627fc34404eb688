// The Slack app manifests a person pastes into "Create app from manifest": one for
// Socket Mode, one for HTTP. They describe the same app (name, App Home, /health, the
// smallest set of bot scopes, app_home_opened, interactivity) and differ only in how
// Slack reaches Canary: a socket, or request URLs at /slack/events.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Manifest {
  display_information: { name: string; description?: string };
  features: {
    app_home: {
      home_tab_enabled: boolean;
      messages_tab_enabled: boolean;
      messages_tab_read_only_enabled: boolean;
    };
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: { command: string; description: string; usage_hint: string; url?: string }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
    org_deploy_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const read = (file: string) =>
  parse(readFileSync(new URL(`../manifests/${file}`, import.meta.url), 'utf8')) as Manifest;
const socket = read('socket-mode.yaml');
const http = read('http.yaml');
const REQUEST_URL = 'https://YOUR-HOST/slack/events';

// What Canary does in Slack, and the scope each needs; nothing more (see the comments
// in the manifests). Answers to /health use the response_url, so no chat:write.public.
// The two history scopes let a digest's takeover find a post already made (public and
// private channels), so that no channel gets a digest twice.
const SCOPES = [
  'chat:write',
  'commands',
  'files:write',
  'users:read',
  'users:read.email',
  'im:write',
  'channels:history',
  'groups:history',
];
// What `/health help` lists.
const SUBCOMMANDS = ['account', 'portfolio', 'at-risk', 'referrals', 'movers', 'cases', 'digest', 'help'];

/** A manifest without what tells the modes apart: the rest must be the same app. */
function withoutTransport(m: Manifest) {
  const copy = structuredClone(m);
  for (const c of copy.features.slash_commands) delete c.url;
  delete copy.settings.interactivity.request_url;
  delete copy.settings.event_subscriptions.request_url;
  delete (copy.settings as Partial<Manifest['settings']>).socket_mode_enabled;
  return copy;
}

describe.each([
  ['socket-mode.yaml', socket],
  ['http.yaml', http],
])('%s', (_file, manifest) => {
  it('has the sections Slack reads', () => {
    expect(Object.keys(manifest)).toEqual(
      expect.arrayContaining(['display_information', 'features', 'oauth_config', 'settings']),
    );
    for (const flag of ['socket_mode_enabled', 'org_deploy_enabled', 'token_rotation_enabled'] as const)
      expect(typeof manifest.settings[flag]).toBe('boolean');
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
  });

  it('is Canary, always online, with its Home tab and read-only messages tab', () => {
    expect(manifest.display_information.name).toBe('Canary');
    expect(manifest.display_information.description!.length).toBeLessThanOrEqual(140);
    expect(manifest.features.bot_user).toEqual({ display_name: 'Canary', always_online: true });
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
  });

  it('has /health, whose usage hint names every subcommand help lists', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/health']);
    const [health] = manifest.features.slash_commands;
    expect(health!.description.length).toBeGreaterThan(0);
    for (const sub of SUBCOMMANDS) expect(health!.usage_hint).toMatch(new RegExp(`\\b${sub}\\b`));
  });

  it('asks for exactly the bot scopes Canary uses, and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SCOPES].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('subscribes to app_home_opened and enables interactivity', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});

describe('the two modes', () => {
  it('are the same app apart from how Slack reaches Canary', () => {
    expect(withoutTransport(http)).toEqual(withoutTransport(socket));
  });

  it('Socket Mode: a socket, no request URLs', () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(socket.features.slash_commands.every((c) => c.url === undefined)).toBe(true);
    expect(socket.settings.interactivity.request_url).toBeUndefined();
    expect(socket.settings.event_subscriptions.request_url).toBeUndefined();
  });

  it('HTTP: every request URL is /slack/events on the host to fill in', () => {
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.features.slash_commands.map((c) => c.url)).toEqual([REQUEST_URL]);
    expect(http.settings.interactivity.request_url).toBe(REQUEST_URL);
    expect(http.settings.event_subscriptions.request_url).toBe(REQUEST_URL);
  });
});
