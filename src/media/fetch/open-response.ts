import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { FetchDeadlines } from './fetch-deadlines.ts';

/** A URL's host as node:net wants it: IPv6 literals without their brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * One GET, resolved when the response headers arrive. Connects through `lookup` (the checked
 * addresses only), with no connection pooling and no compression (the byte limit counts what
 * is on the wire, so a small gzip cannot expand past it), under the fetch's deadlines.
 */
export function openResponse(url: URL, lookup: LookupFunction, deadlines: FetchDeadlines): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    deadlines.connecting(url.host);
    const request = send({
      protocol: url.protocol,
      hostname: bareHost(url),
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { 'user-agent': 'Shenbi media fetch', accept: '*/*', 'accept-encoding': 'identity' },
      agent: false,
      lookup,
      signal: deadlines.signal,
    });
    request.once('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => deadlines.connected());
      else deadlines.connected();
    });
    request.once('response', (response) => {
      deadlines.touch();
      resolve(response);
    });
    // 'on', not 'once': a second socket error after the headers must not go unhandled.
    request.on('error', reject);
    request.end();
  });
}
