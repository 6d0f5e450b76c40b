/** Hard limits shared by both ends, so a client can refuse bad input before it is sent. */
export const LIMITS = {
  /** Characters in one message's text. */
  maxTextLength: 5000,
  /** Attachments referenced by one message. */
  maxAttachments: 10,
  /** Default upload size cap in bytes (the server's is configurable). */
  defaultMaxUploadBytes: 10 * 1024 * 1024,
  /** Largest page a client may ask for. */
  maxPageSize: 200,
  /** Characters in a rating comment. */
  maxCommentLength: 1000,
  /** Characters in a tracked event name. */
  maxEventNameLength: 64,
  /** Bytes of JSON in one socket frame (the server sets socket.io's `maxHttpBufferSize` to it). */
  maxFrameBytes: 64 * 1024,
  /** Fields in one form block (and values in its answer). */
  maxFormFields: 5,
  /** Characters in one form field's value. */
  maxFieldValueLength: 200,
} as const;
