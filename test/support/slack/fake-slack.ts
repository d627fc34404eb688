// The offline Slack Web API: a local HTTP server that answers the methods Canary calls
// the way Slack does (shapes, error codes, Block Kit limits, 429 + Retry-After,
// single-use trigger ids, response_url limits, image blocks that refer to files not
// uploaded or not processed yet, a channel's history with message metadata), records
// every call, stores the messages, views and files the app creates, and fails on
// request. Tests point `WebClient` or Bolt's `clientOptions.slackApiUrl` at `apiUrl`;
// nothing else of Slack is faked.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { LogLevel, WebClient, type Logger, type WebClientOptions } from '@slack/web-api';
import { isObject } from '../../../src/lib/json.ts';
import { blockProblems, blocksTextLength, MAX_BLOCKS, MAX_MESSAGE_TEXT, viewProblems } from './block-kit.ts';
import { WORKSPACE } from './workspace.ts';

export interface FakeUser {
  id: string;
  name: string;
  email: string;
  realName: string;
  isAdmin?: boolean;
  /** IANA zone; America/New_York unless given, so time-zone bugs show. */
  tz?: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  /** false: the bot was never invited, posts answer `not_in_channel`. */
  botIsMember?: boolean;
  archived?: boolean;
}

export interface RecordedCall {
  /** The Web API method, or `upload` for bytes POSTed to an upload URL. */
  method: string;
  /** Parsed arguments, JSON-encoded fields (blocks, view, files, ...) decoded; never the token. */
  args: Record<string, unknown>;
  /** Request headers, lower-case, with the authorization value redacted. */
  headers: Record<string, string>;
  at: Date;
  status: number;
  /** What the fake answered: the JSON body, or the text of an upload answer. */
  answer: unknown;
}

export interface FailureRule {
  /** Slack error code; `ratelimited` implies HTTP 429. */
  error?: string;
  status?: number;
  /** Seconds sent in `Retry-After` with a 429 (default 1). */
  retryAfter?: number;
  /** How many calls the rule answers before it stops (default 1). */
  times?: number;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  status: number;
  at: Date;
}

export interface UploadedFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  altText?: string;
  /** The bytes POSTed to the upload URL, once they arrive. */
  bytes?: Buffer;
  completed: boolean;
  title?: string;
  channelId?: string;
  threadTs?: string;
  initialComment?: string;
}

/** A message the app posted, as Slack returns it in `chat.postMessage`'s `message`. */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  blocks?: unknown[];
  thread_ts?: string;
  metadata?: unknown;
  files?: Record<string, unknown>[];
  edited?: { user: string; ts: string };
}

export type SlackView = Record<string, unknown> & { id: string; type: string; hash: string };

export interface FakeSlack {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Give this to `slackApiUrl`. */
  apiUrl: string;
  /** The only bot token the fake accepts. */
  token: string;
  /** Calls in arrival order, all or of one method. */
  calls(method?: string): RecordedCall[];
  /** The first call of `method` matching `predicate`, already made or still to come. */
  waitFor(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  addUser(user: FakeUser): void;
  addChannel(channel: FakeChannel): void;
  /** Answers the next `rule.times` calls of `method` with a failure instead. */
  fail(method: string, rule?: FailureRule): void;
  /** Delays every answer to `method` by `ms` until reset. */
  latency(method: string, ms: number): void;
  /** A trigger id as Slack puts in an interaction: valid for one views.open, for 3 seconds. */
  triggerId(): string;
  /** A fresh response_url on the fake: five uses, then 404 like Slack. */
  responseUrl(): string;
  /** What was POSTed to response URLs, all or to one (by id or URL). */
  responses(idOrUrl?: string): RecordedResponse[];
  waitForResponse(idOrUrl: string, timeoutMs?: number): Promise<RecordedResponse>;
  /** The latest version of a stored message. */
  message(channel: string, ts: string): StoredMessage | undefined;
  messages(channel: string): StoredMessage[];
  view(viewId: string): SlackView | undefined;
  /** The home tab last published for a user. */
  homeView(userId: string): SlackView | undefined;
  files(): UploadedFile[];
  /**
   * Files count as processed `ms` after files.completeUploadExternal (default 0); until
   * then a message, view or response whose image block refers to one is refused with
   * invalid_blocks, as Slack refuses a file it is still scanning.
   */
  processing(ms: number): void;
  /** A WebClient on the fake with the bot token, no retries and no log output. */
  client(options?: WebClientOptions): WebClient;
  /** Forgets calls, responses, failures, latencies, messages, views, files (and the processing delay) and triggers; keeps users and channels. */
  reset(): void;
  close(): Promise<void>;
}

/** A refusal, answered as `{ ok: false, error, ...detail }` like Slack's. */
class SlackRefusal extends Error {
  constructor(
    readonly error: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

type Args = Record<string, unknown>;
type Handler = (args: Args) => Record<string, unknown>;
type Answer = { status: number; body: Record<string, unknown> | string; headers: Record<string, string> };

/** Form fields @slack/web-api JSON-encodes because they are objects or arrays. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);
const TRIGGER_LIFETIME_MS = 3000;
const RESPONSE_URL_USES = 5;
const MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  pdf: 'application/pdf',
};

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export async function startFakeSlack(
  options: { channels?: FakeChannel[]; users?: FakeUser[] } = {},
): Promise<FakeSlack> {
  const users = new Map<string, FakeUser>();
  const channels = new Map<string, FakeChannel>();
  const dms = new Map<string, string>(); // user id -> D… channel id
  const recorded: RecordedCall[] = [];
  const ruleQueue = new Map<string, (FailureRule & { times: number })[]>();
  const latencies = new Map<string, number>();
  const stored = new Map<string, Map<string, StoredMessage>>();
  const views = new Map<string, SlackView>();
  const homes = new Map<string, string>();
  const uploads = new Map<string, UploadedFile>();
  const completedAt = new Map<string, number>();
  let processingMs = 0;
  const triggers = new Map<string, { issued: number; used: boolean }>();
  const responseUses = new Map<string, number>();
  const answered: RecordedResponse[] = [];
  const waiters = new Set<() => void>();

  let sequence = 0;
  const newTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence % 1_000_000).padStart(6, '0')}`;
  const newId = (prefix: string) => prefix + randomBytes(5).toString('hex').toUpperCase();
  const now = () => Math.floor(Date.now() / 1000);

  const notify = () => [...waiters].forEach((check) => check());
  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, explain: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(explain()));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  const addUser = (user: FakeUser) => void users.set(user.id, user);
  const addChannel = (channel: FakeChannel) => void channels.set(channel.id, channel);
  (options.channels ?? [WORKSPACE.channel]).forEach(addChannel);
  (options.users ?? [WORKSPACE.user]).forEach(addUser);

  // --- arguments and lookups --------------------------------------------------------

  /** A string argument; form fields arrive as strings, JSON ones may be numbers. */
  const optional = (args: Args, key: string): string | undefined => {
    const value = args[key];
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const required = (args: Args, key: string): string => {
    const value = optional(args, key);
    if (value === undefined) {
      throw new SlackRefusal('invalid_arguments', {
        response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
      });
    }
    return value;
  };

  function openDm(userId: string): string {
    let id = dms.get(userId);
    if (!id) {
      id = newId('D');
      dms.set(userId, id);
      channels.set(id, { id, name: userId, botIsMember: true });
    }
    return id;
  }

  function findChannel(idOrName: string | undefined): FakeChannel {
    if (!idOrName) throw new SlackRefusal('channel_not_found');
    const name = idOrName.replace(/^#/, '');
    const channel =
      channels.get(idOrName) ??
      [...channels.values()].find((c) => c.name === name && !c.id.startsWith('D')) ??
      (users.has(idOrName) ? channels.get(openDm(idOrName)) : undefined);
    if (!channel) throw new SlackRefusal('channel_not_found');
    return channel;
  }

  function postableChannel(idOrName: string | undefined): FakeChannel {
    const channel = findChannel(idOrName);
    if (channel.archived) throw new SlackRefusal('is_archived');
    if (channel.botIsMember === false) throw new SlackRefusal('not_in_channel');
    return channel;
  }

  function knownUser(id: string | undefined): FakeUser {
    const user = id ? users.get(id) : undefined;
    if (!user) throw new SlackRefusal('user_not_found');
    return user;
  }

  function storedMessage(channel: string, ts: string | undefined): StoredMessage {
    const message = ts ? stored.get(channel)?.get(ts) : undefined;
    if (!message) throw new SlackRefusal('message_not_found');
    return message;
  }

  /** A message's text and blocks, refused as Slack refuses them. */
  function messageContent(args: Args): { text?: string; blocks?: unknown[] } {
    const body = optional(args, 'text');
    if (args.blocks !== undefined) {
      const problems = blockProblems(args.blocks, MAX_BLOCKS.message);
      if (problems.length > 0) {
        throw new SlackRefusal('invalid_blocks', {
          errors: problems,
          response_metadata: { messages: problems },
        });
      }
      if (blocksTextLength(args.blocks) > MAX_MESSAGE_TEXT) throw new SlackRefusal('msg_blocks_too_long');
      checkFiles(args.blocks);
    }
    if (body === undefined && args.blocks === undefined && args.attachments === undefined) {
      throw new SlackRefusal('no_text');
    }
    if (body !== undefined && body.length > 40_000) throw new SlackRefusal('msg_too_long');
    return { text: body, blocks: args.blocks as unknown[] | undefined };
  }

  function storeMessage(channel: string, fields: Partial<StoredMessage>): StoredMessage {
    const message: StoredMessage = {
      type: 'message',
      text: '',
      user: WORKSPACE.botUserId,
      bot_id: WORKSPACE.botId,
      app_id: WORKSPACE.appId,
      team: WORKSPACE.teamId,
      ...fields,
      ts: newTs(),
    };
    if (!stored.has(channel)) stored.set(channel, new Map());
    stored.get(channel)!.set(message.ts, message);
    return message;
  }

  /** Image blocks' slack_file ids that name no uploaded file, or one not processed yet. */
  function fileProblems(blocks: unknown): string[] {
    if (!Array.isArray(blocks)) return [];
    return blocks.flatMap((block: unknown, i) => {
      if (!isObject(block) || block.type !== 'image' || !isObject(block.slack_file)) return [];
      const id = block.slack_file.id;
      const done = typeof id === 'string' ? completedAt.get(id) : undefined;
      return done !== undefined && Date.now() - done >= processingMs
        ? []
        : [`invalid slack file [json-pointer:/blocks/${i}/slack_file]`];
    });
  }

  function checkFiles(blocks: unknown): void {
    const problems = fileProblems(blocks);
    if (problems.length > 0)
      throw new SlackRefusal('invalid_blocks', {
        errors: problems,
        response_metadata: { messages: problems },
      });
  }

  function checkView(view: unknown, type: 'modal' | 'home'): Record<string, unknown> {
    const problems = viewProblems(view, type);
    if (problems.length > 0)
      throw new SlackRefusal('invalid_arguments', { response_metadata: { messages: problems } });
    checkFiles((view as Record<string, unknown>).blocks);
    return view as Record<string, unknown>;
  }

  function saveView(input: Record<string, unknown>, previous?: SlackView): SlackView {
    const id = previous?.id ?? newId('V');
    const view: SlackView = {
      id,
      team_id: WORKSPACE.teamId,
      type: String(input.type),
      blocks: input.blocks,
      private_metadata: input.private_metadata ?? '',
      callback_id: input.callback_id ?? '',
      state: { values: {} },
      hash: `${now()}.${randomBytes(4).toString('hex')}`,
      title: input.title ?? null,
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      close: input.close ?? null,
      submit: input.submit ?? null,
      previous_view_id: null,
      root_view_id: previous?.root_view_id ?? id,
      app_id: WORKSPACE.appId,
      external_id: input.external_id ?? '',
      app_installed_team_id: WORKSPACE.teamId,
      bot_id: WORKSPACE.botId,
    };
    views.set(id, view);
    return view;
  }

  function checkHash(args: Args, view: SlackView): void {
    const hash = optional(args, 'hash');
    if (hash !== undefined && hash !== view.hash) throw new SlackRefusal('hash_conflict');
  }

  function userObject(user: FakeUser): Record<string, unknown> {
    const tz = user.tz ?? 'America/New_York';
    const zoneName = (style: 'long' | 'longOffset') =>
      new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })
        .formatToParts(new Date())
        .find((part) => part.type === 'timeZoneName')?.value ?? '';
    const offset = /GMT([+-])(\d\d):(\d\d)/.exec(zoneName('longOffset'));
    const tzOffset = offset
      ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60)
      : 0;
    return {
      id: user.id,
      team_id: WORKSPACE.teamId,
      name: user.name,
      deleted: false,
      real_name: user.realName,
      tz,
      tz_label: zoneName('long'),
      tz_offset: tzOffset,
      is_admin: user.isAdmin ?? false,
      is_owner: false,
      is_bot: false,
      is_app_user: false,
      profile: {
        email: user.email,
        real_name: user.realName,
        real_name_normalized: user.realName,
        display_name: user.name,
        display_name_normalized: user.name,
        team: WORKSPACE.teamId,
      },
    };
  }

  function fileObject(file: UploadedFile): Record<string, unknown> {
    const extension = file.filename.split('.').pop()?.toLowerCase() ?? '';
    return {
      id: file.id,
      created: now(),
      timestamp: now(),
      name: file.filename,
      title: file.title ?? file.filename,
      mimetype: MIME_TYPES[extension] ?? 'application/octet-stream',
      filetype: extension || 'binary',
      user: WORKSPACE.botUserId,
      user_team: WORKSPACE.teamId,
      size: file.bytes?.length ?? file.length,
      mode: 'hosted',
      is_external: false,
      is_public: false,
      alt_txt: file.altText,
      url_private: `${url}/files-pri/${WORKSPACE.teamId}-${file.id}/${file.filename}`,
      permalink: `https://${WORKSPACE.teamDomain}.slack.com/files/${WORKSPACE.botUserId}/${file.id}/${file.filename}`,
      // Slack shares a completed upload asynchronously: the answer lists no channels yet.
      channels: [],
      shares: {},
    };
  }

  // --- the methods --------------------------------------------------------------------

  const methods: Record<string, Handler> = {
    'auth.test': () => ({
      url: `https://${WORKSPACE.teamDomain}.slack.com/`,
      team: WORKSPACE.teamName,
      user: WORKSPACE.botName,
      team_id: WORKSPACE.teamId,
      user_id: WORKSPACE.botUserId,
      bot_id: WORKSPACE.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = postableChannel(optional(args, 'channel'));
      const { text: body, blocks } = messageContent(args);
      const threadTs = optional(args, 'thread_ts');
      const message = storeMessage(channel.id, {
        text: body ?? '',
        ...(blocks && { blocks }),
        ...(threadTs && { thread_ts: threadTs }),
        ...(args.metadata !== undefined && { metadata: args.metadata }),
      });
      return { channel: channel.id, ts: message.ts, message };
    },

    'chat.postEphemeral': (args) => {
      postableChannel(optional(args, 'channel'));
      knownUser(optional(args, 'user'));
      messageContent(args);
      // Ephemeral messages are not stored: Slack cannot update or link them either.
      return { message_ts: newTs() };
    },

    'chat.update': (args) => {
      const channel = findChannel(optional(args, 'channel'));
      const message = storedMessage(channel.id, required(args, 'ts'));
      const { text: body, blocks } = messageContent(args);
      if (body !== undefined) message.text = body;
      // As in Slack, omitted blocks keep the old ones and an empty array removes them.
      if (blocks !== undefined) message.blocks = blocks;
      message.edited = { user: WORKSPACE.botUserId, ts: newTs() };
      return { channel: channel.id, ts: message.ts, text: message.text, message };
    },

    // A channel's top-level messages, newest first, as Slack pages them; metadata only
    // with include_all_metadata, as in Slack.
    'conversations.history': (args) => {
      const channel = findChannel(optional(args, 'channel'));
      if (channel.botIsMember === false) throw new SlackRefusal('not_in_channel');
      const oldest = Number(optional(args, 'oldest') ?? 0);
      const latest = Number(optional(args, 'latest') ?? Number.POSITIVE_INFINITY);
      const limit = Math.min(999, Number(optional(args, 'limit') ?? 100)) || 100;
      const start = Number(optional(args, 'cursor') ?? 0);
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      const all = [...(stored.get(channel.id)?.values() ?? [])]
        .filter(
          (m) => (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) > oldest && Number(m.ts) < latest,
        )
        .sort((a, b) => Number(b.ts) - Number(a.ts));
      const page = all
        .slice(start, start + limit)
        .map(({ metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
      const more = start + limit < all.length;
      return {
        messages: page,
        has_more: more,
        pin_count: 0,
        ...(more && { response_metadata: { next_cursor: String(start + limit) } }),
      };
    },

    'chat.getPermalink': (args) => {
      const channel = findChannel(optional(args, 'channel'));
      const message = storedMessage(channel.id, optional(args, 'message_ts'));
      return {
        channel: channel.id,
        permalink: `https://${WORKSPACE.teamDomain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`,
      };
    },

    'views.open': (args) => {
      const triggerId = required(args, 'trigger_id');
      const view = checkView(args.view, 'modal');
      const trigger = triggers.get(triggerId);
      if (!trigger) throw new SlackRefusal('invalid_trigger_id');
      if (trigger.used) throw new SlackRefusal('exchanged_trigger_id');
      if (Date.now() - trigger.issued > TRIGGER_LIFETIME_MS) throw new SlackRefusal('expired_trigger_id');
      trigger.used = true;
      return { view: saveView(view) };
    },

    'views.update': (args) => {
      const viewId = optional(args, 'view_id');
      const externalId = optional(args, 'external_id');
      if (!viewId && !externalId) required(args, 'view_id');
      const previous = viewId
        ? views.get(viewId)
        : [...views.values()].find((v) => v.external_id === externalId);
      if (!previous) throw new SlackRefusal('not_found');
      checkHash(args, previous);
      return { view: saveView(checkView(args.view, previous.type as 'modal' | 'home'), previous) };
    },

    'views.publish': (args) => {
      const user = knownUser(required(args, 'user_id'));
      const view = checkView(args.view, 'home');
      const previousId = homes.get(user.id);
      const previous = previousId ? views.get(previousId) : undefined;
      if (previous) checkHash(args, previous);
      const saved = saveView(view, previous);
      homes.set(user.id, saved.id);
      return { view: saved };
    },

    'users.info': (args) => ({ user: userObject(knownUser(optional(args, 'user'))) }),

    'users.lookupByEmail': (args) => {
      const email = optional(args, 'email')?.toLowerCase();
      const user = [...users.values()].find((u) => u.email.toLowerCase() === email);
      if (!user) throw new SlackRefusal('users_not_found');
      return { user: userObject(user) };
    },

    'conversations.open': (args) => {
      const channelId = optional(args, 'channel');
      if (channelId) return { channel: { id: findChannel(channelId).id } };
      const ids = (optional(args, 'users') ?? '').split(',').filter(Boolean);
      if (ids.length === 0) throw new SlackRefusal('users_list_not_supplied');
      // Group DMs are not part of Canary, so the fake says so rather than imitate them.
      if (ids.length > 1) throw new SlackRefusal('fake_slack_supports_one_user_only');
      const user = knownUser(ids[0]);
      const alreadyOpen = dms.has(user.id);
      const id = openDm(user.id);
      const channel =
        args.return_im === true || args.return_im === 'true'
          ? {
              id,
              created: now(),
              is_im: true,
              is_org_shared: false,
              user: user.id,
              is_user_deleted: false,
              priority: 0,
            }
          : { id };
      return { ...(alreadyOpen && { no_op: true, already_open: true }), channel };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = required(args, 'filename');
      const length = Number(required(args, 'length'));
      if (!Number.isInteger(length) || length <= 0) throw new SlackRefusal('invalid_arguments');
      const id = newId('F');
      uploads.set(id, { id, filename, length, altText: optional(args, 'alt_text'), completed: false });
      return { upload_url: `${url}/upload/v1/${id}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      if (!Array.isArray(args.files) || args.files.length === 0) required(args, 'files');
      const channelId = optional(args, 'channel_id');
      const channel = channelId ? postableChannel(channelId) : undefined;
      const entries = (args.files as unknown[]).map((entry) => {
        const file = isObject(entry) && typeof entry.id === 'string' ? uploads.get(entry.id) : undefined;
        // A file whose bytes never arrived is as unknown to Slack as a made-up id.
        if (!file?.bytes) throw new SlackRefusal('file_not_found');
        return { file, title: isObject(entry) && typeof entry.title === 'string' ? entry.title : undefined };
      });
      const threadTs = optional(args, 'thread_ts');
      const initialComment = optional(args, 'initial_comment');
      const files = entries.map(({ file, title }) => {
        Object.assign(file, { completed: true, title, channelId: channel?.id, threadTs, initialComment });
        completedAt.set(file.id, Date.now());
        return fileObject(file);
      });
      if (channel) {
        storeMessage(channel.id, {
          text: initialComment ?? '',
          files,
          ...(threadTs && { thread_ts: threadTs }),
          ...(Array.isArray(args.blocks) && { blocks: args.blocks }),
        });
      }
      return { files };
    },
  };

  // --- HTTP ---------------------------------------------------------------------------

  function record(call: RecordedCall): void {
    recorded.push(call);
    notify();
  }

  function takeFailure(method: string): (FailureRule & { times: number }) | undefined {
    const queue = ruleQueue.get(method);
    const rule = queue?.[0];
    if (!rule) return undefined;
    if (--rule.times <= 0) queue.shift();
    return rule;
  }

  function failureAnswer(rule: FailureRule): Answer {
    const status = rule.status ?? (rule.error === 'ratelimited' ? 429 : 200);
    const error = rule.error ?? (status === 429 ? 'ratelimited' : 'internal_error');
    const headers: Record<string, string> =
      status === 429 ? { 'retry-after': String(rule.retryAfter ?? 1) } : {};
    return { status, body: { ok: false, error }, headers };
  }

  function parseArgs(contentType: string | undefined, raw: Buffer, query: URLSearchParams): Args {
    const args: Args = Object.fromEntries(query);
    if (contentType?.startsWith('application/json')) {
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw new SlackRefusal('invalid_json');
      }
      return { ...args, ...(isObject(body) ? body : {}) };
    }
    for (const [key, value] of Object.entries(parseQuery(raw.toString('utf8')))) {
      const last = Array.isArray(value) ? value.at(-1) : value;
      args[key] = JSON_FIELDS.has(key) && last !== undefined ? decodeJson(last) : last;
    }
    return args;
  }

  async function apiCall(
    method: string,
    req: IncomingMessage,
    raw: Buffer,
    query: URLSearchParams,
  ): Promise<Answer & { args: Args }> {
    let args: Args = {};
    let answer: Answer;
    try {
      args = parseArgs(req.headers['content-type'], raw, query);
      const token = bearer(req.headers.authorization) ?? optional(args, 'token');
      delete args.token;
      await sleep(latencies.get(method) ?? 0);
      const failure = takeFailure(method);
      if (failure) answer = failureAnswer(failure);
      else if (!token) throw new SlackRefusal('not_authed');
      else if (token !== WORKSPACE.botToken) throw new SlackRefusal('invalid_auth');
      else {
        const handler = methods[method];
        if (!handler) throw new SlackRefusal('unknown_method');
        answer = { status: 200, body: { ok: true, ...handler(args) }, headers: {} };
      }
    } catch (error) {
      if (!(error instanceof SlackRefusal)) throw error;
      answer = { status: 200, body: { ok: false, error: error.error, ...error.detail }, headers: {} };
    }
    return { args, ...answer };
  }

  async function upload(fileId: string, req: IncomingMessage, raw: Buffer): Promise<Answer & { args: Args }> {
    await sleep(latencies.get('upload') ?? 0);
    const failure = takeFailure('upload');
    if (failure) return { args: { file_id: fileId }, ...failureAnswer(failure) };
    const file = uploads.get(fileId);
    if (!file) return { args: { file_id: fileId }, status: 404, body: 'Not Found', headers: {} };
    // @slack/web-api sends the bytes as multipart form data; curl-style clients send them raw.
    const contentType = req.headers['content-type'] ?? '';
    let bytes = raw;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      const part = [...form.values()].find((value) => typeof value !== 'string') as Blob | undefined;
      bytes = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    }
    file.bytes = bytes;
    return {
      args: { file_id: fileId, length: bytes.length },
      status: 200,
      body: `OK - ${bytes.length}`,
      headers: {},
    };
  }

  function response(id: string, raw: Buffer): { status: number; body: string } {
    const uses = responseUses.get(id);
    const reply = (status: number, body: string, parsed: Record<string, unknown> = {}) => {
      answered.push({ id, body: parsed, status, at: new Date() });
      notify();
      return { status, body };
    };
    if (uses === undefined) return reply(404, 'expired_url');
    responseUses.set(id, uses + 1);
    if (uses >= RESPONSE_URL_USES) return reply(404, 'used_url');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(400, 'invalid_payload');
    }
    if (!isObject(body)) return reply(400, 'invalid_payload');
    if (
      body.blocks !== undefined &&
      blockProblems(body.blocks, MAX_BLOCKS.message).length + fileProblems(body.blocks).length > 0
    ) {
      return reply(400, 'invalid_blocks', body);
    }
    if (body.text === undefined && body.blocks === undefined && body.delete_original !== true) {
      return reply(400, 'no_text', body);
    }
    return reply(200, 'ok', body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = new Date();
    const raw = await readBody(req);
    const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, kind, ...rest] = requestUrl.pathname.split('/');
    const name = rest.join('/');
    if (req.method !== 'POST') return send(res, 405, 'method_not_allowed');
    if (kind === 'response') {
      const { status, body } = response(name, raw);
      return send(res, status, body);
    }
    if (kind !== 'api' && !(kind === 'upload' && rest[0] === 'v1')) return send(res, 404, 'Not Found');
    const method = kind === 'api' ? name : 'upload';
    const { args, status, body, headers } =
      kind === 'api'
        ? await apiCall(name, req, raw, requestUrl.searchParams)
        : await upload(rest[1] ?? '', req, raw);
    record({ method, args, headers: redacted(req.headers), at, status, answer: body });
    send(res, status, body, headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake itself: make it loud in the test, not a hung request.
      console.error('fake Slack failed:', error);
      if (!res.headersSent) send(res, 500, 'fake_slack_error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiUrl = `${url}/api/`;

  const responseIdOf = (idOrUrl: string) => idOrUrl.replace(`${url}/response/`, '');
  const describe = (calls: RecordedCall[]) =>
    calls.map(
      (c) =>
        `${c.status} ${JSON.stringify(c.args).slice(0, 300)} -> ${JSON.stringify(c.answer).slice(0, 200)}`,
    );

  return {
    url,
    apiUrl,
    token: WORKSPACE.botToken,
    calls: (method) => recorded.filter((c) => method === undefined || c.method === method),
    waitFor: (method, predicate = () => true, timeoutMs = 2000) =>
      waitUntil(
        () => recorded.find((c) => c.method === method && predicate(c)),
        timeoutMs,
        () => {
          const seen = recorded.filter((c) => c.method === method);
          return `fake Slack: no matching ${method} call within ${timeoutMs} ms; saw ${seen.length}:\n${describe(seen).join('\n')}`;
        },
      ),
    addUser,
    addChannel,
    fail: (method, rule = {}) => {
      if (!ruleQueue.has(method)) ruleQueue.set(method, []);
      ruleQueue.get(method)!.push({ ...rule, times: rule.times ?? 1 });
    },
    latency: (method, ms) => void latencies.set(method, ms),
    triggerId: () => {
      const id = `${Date.now()}.${WORKSPACE.teamId.slice(1)}.${randomBytes(16).toString('hex')}`;
      triggers.set(id, { issued: Date.now(), used: false });
      return id;
    },
    responseUrl: () => {
      const id = `${WORKSPACE.teamId}/${Date.now()}/${randomBytes(12).toString('hex')}`;
      responseUses.set(id, 0);
      return `${url}/response/${id}`;
    },
    responses: (idOrUrl) => answered.filter((r) => idOrUrl === undefined || r.id === responseIdOf(idOrUrl)),
    waitForResponse: (idOrUrl, timeoutMs = 2000) => {
      const id = responseIdOf(idOrUrl);
      return waitUntil(
        () => answered.find((r) => r.id === id),
        timeoutMs,
        () => `fake Slack: nothing was POSTed to response_url ${id} within ${timeoutMs} ms`,
      );
    },
    message: (channel, ts) => stored.get(channel)?.get(ts),
    messages: (channel) => [...(stored.get(channel)?.values() ?? [])],
    view: (viewId) => views.get(viewId),
    homeView: (userId) => {
      const id = homes.get(userId);
      return id ? views.get(id) : undefined;
    },
    files: () => [...uploads.values()],
    processing: (ms) => void (processingMs = ms),
    client: (clientOptions = {}) =>
      new WebClient(WORKSPACE.botToken, {
        slackApiUrl: apiUrl,
        retryConfig: { retries: 0 },
        logger: silentLogger,
        ...clientOptions,
      }),
    reset: () => {
      recorded.length = 0;
      answered.length = 0;
      for (const map of [
        ruleQueue,
        latencies,
        stored,
        views,
        homes,
        uploads,
        completedAt,
        triggers,
        responseUses,
      ])
        map.clear();
      processingMs = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function decodeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    // Kept as sent: the method's own checks then refuse it as Slack would.
    return value;
  }
}

function bearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

function redacted(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[key] =
      key === 'authorization' ? 'Bearer [redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const isText = typeof body === 'string';
  res.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...headers,
  });
  res.end(isText ? body : JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
