// Integration components: HTTP requests and webhook replies.
export { HttpRequest } from './http-request.ts';
export { WebhookResponse, toWebhookReply, type WebhookReply, type WebhookReplyOptions } from './webhook-response.ts';
