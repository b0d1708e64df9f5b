import type { ServiceName } from './model.js';

/**
 * Names the operation of one HTTP/1.1 request from its head (request line + headers), as the model's latency table
 * names them. Only what the latency needs: S3 by method, path and query; DynamoDB and Lambda by their own markers.
 */
export function classifyRequest(service: ServiceName, head: string): string {
  const lineEnd = head.indexOf('\r\n');
  const [method = '', target = ''] = (lineEnd < 0 ? head : head.slice(0, lineEnd)).split(' ');
  if (service === 'dynamodb') {
    const match = /\r\nx-amz-target:\s*DynamoDB_\d+\.(\w+)/i.exec(head);
    return match?.[1] ?? 'default';
  }
  if (service === 'lambda') return /\/functions\/[^/]+\/invocations/.test(target) ? 'Invoke' : 'default';
  return s3Operation(method, target, head);
}

function s3Operation(method: string, target: string, head: string): string {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  // Path-style (/bucket/key) or a bucket.host name (then the whole path is the key).
  const hostBucket = /\r\nhost:\s*[^.\r\n:]+\.localhost/i.test(head);
  const segments = path.split('/').filter(Boolean);
  const hasKey = hostBucket ? segments.length > 0 : segments.length > 1;
  switch (method) {
    case 'GET':
      if (!hasKey) return query.has('uploads') ? 'default' : 'ListObjects';
      return query.has('uploadId') || query.has('acl') ? 'default' : 'GetObject';
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'default';
    case 'PUT':
      if (!hasKey) return 'default';
      if (query.has('partNumber')) return 'UploadPart';
      return /\r\nx-amz-copy-source:/i.test(head) ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      if (query.has('delete')) return 'DeleteObjects';
      return 'default';
    case 'DELETE':
      return hasKey ? 'DeleteObject' : 'default';
    default:
      return 'default';
  }
}
