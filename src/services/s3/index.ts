export { createS3Handler, type S3Options, startS3Server } from './server.js';
