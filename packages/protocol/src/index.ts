export { PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './version.js';
export { LIMITS } from './limits.js';
export { linkify, safeHref, type TextSegment } from './links.js';
export { WEEKDAYS, openState, hoursProblem, isTimeZone, parseHm } from './hours.js';
export type { Weekday, OpenInterval, BusinessHours, AppAvailability, Availability, OpenState, TeamMember } from './hours.js';
export { blocksAsText, type BlockLine } from './blocks-text.js';
export { globMatch, conditionHolds } from './campaign-match.js';
export { assignmentOf } from './assignment.js';
export type { AssigneeKind, ThreadAssignee, AgentAssignee, AssignedBy, AssignmentReason, AssignmentEvent } from './assignment.js';
export { ERROR_CODES, TRANSIENT_ERROR_CODES, isTransientError, isErrorCode, httpStatusOf } from './errors.js';
export type { ErrorCode, WireError, Ack, AckOk, AckErr } from './errors.js';
export {
  blockSchema,
  blocksSchema,
  buttonSchema,
  cardSchema,
  formFieldSchema,
  quickRepliesSchema,
  richContentSchema,
  linkUrlSchema,
  imageUrlSchema,
  FILE_PATH,
  fieldProblem,
  formProblem,
} from './blocks.js';
export type {
  Block,
  BlockType,
  Button,
  ReplyButton,
  UrlButton,
  HandoffButton,
  Card,
  CardField,
  CardImage,
  FormBlock,
  FormField,
  FieldProblem,
} from './blocks.js';
export type {
  Author,
  AuthorKind,
  Attachment,
  Message,
  MessageKind,
  QuickReply,
  Thread,
  ThreadStatus,
  VisitorContext,
  ProactiveMessage,
  ProactiveDisplay,
  ProactiveEvent,
  PageTriggerKind,
  PageCondition,
  PageTrigger,
  PageCampaign,
  Session,
  VisitorAuth,
  AgentAuth,
} from './model.js';
export {
  uuidSchema,
  visitorAuthSchema,
  sendInputSchema,
  formAnswerSchema,
  fieldNameSchema,
  syncInputSchema,
  listThreadsInputSchema,
  listMessagesInputSchema,
  readInputSchema,
  typingInputSchema,
  pingInputSchema,
  availabilityInputSchema,
  availabilityEventSchema,
  threadAttachInputSchema,
  trackInputSchema,
  contextInputSchema,
  rateInputSchema,
  proactiveEventInputSchema,
  notifyEmailInputSchema,
  campaignFireInputSchema,
  validate,
  canonicalLocale,
} from './schemas.js';
export type {
  SendInput,
  FormAnswer,
  SyncInput,
  ListThreadsInput,
  ListMessagesInput,
  ReadInput,
  TypingInput,
  PingInput,
  AvailabilityInput,
  ThreadAttachInput,
  TrackInput,
  ContextInput,
  RateInput,
  ProactiveEventInput,
  NotifyEmailInput,
  CampaignFireInput,
  Validated,
} from './schemas.js';
export type {
  ClientEvents,
  ServerEvents,
  AgentClientEvents,
  AgentServerEvents,
  AgentThread,
  AgentVisitor,
  SendResult,
  SyncResult,
  CampaignFireResult,
  Page,
  TypingEvent,
  ReadEvent,
  AvailabilityEvent,
} from './events.js';
