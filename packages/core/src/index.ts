export { createClient, createBareClient } from './create-client.js';
export { lazyTransport } from './transport/lazy-transport.js';
export { memoryStorage } from './storage/memory.js';
export { yieldToPage, inSlices } from './yield.js';
export { indexedDbStorage, databaseName } from './storage/indexeddb.js';
export { socketIoTransport, type SocketIoTransportOptions } from './transport/socketio-transport.js';
export type {
  Attachment,
  Author,
  Client,
  ClientError,
  ClientErrorCode,
  ClientEventMap,
  ClientEventName,
  ClientOptions,
  ConnectionState,
  Identity,
  LocalMessageState,
  Message,
  MessageView,
  OutgoingMessage,
  PendingFile,
  ProactiveOptions,
  ProactivePrompt,
  QuickReply,
  FormAnswer,
  Block,
  RetryOptions,
  SessionView,
  NotifyEmailResult,
  Snapshot,
  StorageFallbackReason,
  StorageMode,
  TabRole,
  ThreadAssignee,
  ThreadStatus,
  ThreadView,
  TypingView,
  UploadProgress,
  VisitorContext,
} from './types.js';
export type { StorageAdapter } from './storage/adapter.js';
export type { Transport, TransportEvent, TransportFactory, Reply } from './transport/transport.js';
export type {
  Environment,
  OnlineStatus,
  LockManagerLike,
  ChannelLike,
  HttpClient,
  HttpResponse,
  UploadRequest,
} from './environment.js';
