import { doc, el } from './xml.js';

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;

export const OWNER = { id: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', name: 'lambench' };
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

const ownerGrant = (permission: string) =>
  `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${el('ID', OWNER.id)}${el('DisplayName', OWNER.name)}</Grantee>${el('Permission', permission)}</Grant>`;
const groupGrant = (uri: string, permission: string) =>
  `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">${el('URI', uri)}</Grantee>${el('Permission', permission)}</Grant>`;

/** The grants a canned ACL stands for (the bucket owner and the object owner are the same local account). */
export function aclPolicy(acl: string): string {
  const grants = [ownerGrant('FULL_CONTROL')];
  if (acl === 'public-read') grants.push(groupGrant(ALL_USERS, 'READ'));
  if (acl === 'public-read-write') grants.push(groupGrant(ALL_USERS, 'READ'), groupGrant(ALL_USERS, 'WRITE'));
  if (acl === 'authenticated-read') grants.push(groupGrant(AUTHENTICATED, 'READ'));
  return doc(
    'AccessControlPolicy',
    `<Owner>${el('ID', OWNER.id)}${el('DisplayName', OWNER.name)}</Owner><AccessControlList>${grants.join('')}</AccessControlList>`,
  );
}

export function isCannedAcl(value: string): boolean {
  return (CANNED_ACLS as readonly string[]).includes(value);
}
