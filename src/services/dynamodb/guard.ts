import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AuthOptions, authorize, type Refusal, readBounded, replayRequest } from '../auth/guard.js';

/** dynalite's own bound on a request body (DynamoDB's is 16 MB too). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts authentication in front of dynalite's listener, and hands it only requests whose body has already been read:
 * dynalite throws from the request's 'error' event (an aborted upload would end this process), and its CORS answers
 * (`Access-Control-Allow-Origin: *`) would let any web page in.
 */
export function guardDynalite(server: Server, auth: AuthOptions): void {
  const inner = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      const decision = authorize(req, 'dynamodb', auth);
      // GET is DynamoDB's unauthenticated health check; everything else must be signed.
      if ('refusal' in decision && !(req.method === 'GET' && decision.refusal.reason !== 'crossSite')) {
        req.resume();
        return sendCoral(res, refusalStatus(decision.refusal), refusalType(decision.refusal), decision.refusal.message);
      }
      readBounded(req, MAX_REQUEST_BYTES)
        .then((read) => {
          if ('tooLarge' in read) {
            res.writeHead(413, { Connection: 'close', 'Content-Length': 0 }).end();
            return;
          }
          const refusal = 'verifyBody' in decision ? decision.verifyBody(read.body) : null;
          if (refusal) return sendCoral(res, refusalStatus(refusal), refusalType(refusal), refusal.message);
          for (const listener of inner) listener.call(server, replayRequest(req, read.body), res);
        })
        .catch(() => res.destroy());
    } catch (error) {
      sendCoral(res, 500, 'InternalServerError', (error as Error)?.message ?? String(error));
    }
  });
}

/** DynamoDB answers authentication failures 400, with the coral type; a browser's request is refused 403. */
const refusalStatus = (refusal: Refusal) => (refusal.reason === 'crossSite' ? 403 : 400);

function refusalType(refusal: Refusal): string {
  const types: Record<Refusal['reason'], string> = {
    crossSite: 'AccessDeniedException',
    missing: 'MissingAuthenticationTokenException',
    incomplete: 'IncompleteSignatureException',
    unknownKey: 'UnrecognizedClientException',
    badSignature: 'InvalidSignatureException',
    expired: 'InvalidSignatureException',
    unsupported: 'IncompleteSignatureException',
  };
  return types[refusal.reason];
}

function sendCoral(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
