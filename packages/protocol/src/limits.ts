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
  /** Blocks on one message (rich content, docs/protocol.md). */
  maxBlocks: 5,
  /** Buttons in one `buttons` block. */
  maxButtons: 5,
  /** Buttons on one card. */
  maxCardButtons: 3,
  /** Key–value fields on one card. */
  maxCardFields: 6,
  /** Cards in one carousel. */
  maxCarouselCards: 10,
  /** Quick replies on one message. */
  maxQuickReplies: 10,
  /** Characters in a button, quick reply, field or card-field label. */
  maxLabelLength: 80,
  /** Characters in a card title. */
  maxTitleLength: 120,
  /** Characters in a card subtitle, card-field value, image alt text or field hint. */
  maxSubtitleLength: 300,
  /** Characters in a reply button's or quick reply's value. */
  maxValueLength: 200,
  /** Characters in a button's URL or an image URL. */
  maxUrlLength: 2048,
  /** Characters in a form field's pattern. */
  maxPatternLength: 200,
} as const;
