import { describe, expect, it } from 'vitest';
import { finding, report } from '../../test/backend';
import { fixesFor, folderProblem, location, relativePath, summary } from './findings';

describe('folderProblem', () => {
  it('asks for a full path', () => {
    expect(folderProblem('  ')).toMatch(/Choose a folder/);
    expect(folderProblem('project')).toMatch(/full path/);
    expect(folderProblem('~/project')).toMatch(/~ is not expanded/);
    expect(folderProblem('/home/me/project')).toBeNull();
    expect(folderProblem('C:\\Users\\me\\project')).toBeNull();
  });
});

describe('summary and location', () => {
  it('counts findings and files', () => {
    expect(summary(report({ files: 1204 }))).toBe('No leaks found in 1,204 files');
    expect(summary(report({ files: 1, findings: [finding()] }))).toBe('1 finding in 1 file');
    expect(summary(report({ files: 3, findings: [finding(), finding()] }))).toBe('2 findings in 3 files');
    expect(location(finding())).toBe('.env:3:14');
    expect(location(finding({ path: '/srv/app/deploy/.env' }), '/srv/app/')).toBe('deploy/.env:3:14');
  });

  it('shows paths under the folder swept, and others as they are', () => {
    expect(relativePath('/srv/app/.env', '/srv/app')).toBe('.env');
    expect(relativePath('C:\\app\\.env', 'C:\\app')).toBe('.env');
    expect(relativePath('/srv/application/.env', '/srv/app')).toBe('/srv/application/.env');
    expect(relativePath('.env', null)).toBe('.env');
  });
});

describe('fixesFor', () => {
  it('offers Revoke and Rotate for a token of the active profile, Delete key for its private key', () => {
    const token = fixesFor(finding({ profile: 'Prod', tokenId: 'tok_1' }), 'Prod');
    expect(token.revoke).toEqual({ page: 'tokens', action: 'revoke', id: 'tok_1' });
    expect(token.rotate).toEqual({ page: 'tokens', action: 'rotate', id: 'tok_1', leaked: true });
    expect(token.deleteKey).toBeNull();
    const key = fixesFor(
      finding({ kind: 'private_key', profile: 'Prod', keyId: 'key_1', localKeyId: 'lk_1' }),
      'Prod',
    );
    expect(key.deleteKey).toEqual({ page: 'keys', action: 'delete', id: 'key_1' });
    expect(key.revoke).toBeNull();
    const local = fixesFor(finding({ kind: 'private_key', profile: 'Prod', localKeyId: 'lk_1' }), 'Prod');
    expect(local.deleteKey).toEqual({ page: 'keys', action: 'delete', id: 'lk_1' });
  });

  it('offers nothing for an unmatched token, and says which profile to switch to for another profile', () => {
    expect(fixesFor(finding(), 'Prod')).toEqual({
      revoke: null,
      rotate: null,
      deleteKey: null,
      otherProfile: null,
    });
    const other = fixesFor(finding({ profile: 'Staging', tokenId: 'tok_2' }), 'Prod');
    expect(other.revoke).toBeNull();
    expect(other.otherProfile).toBe('Staging');
    // A stored credential (the admin token) is no token of the list: replaced in Settings, not revoked here.
    expect(fixesFor(finding({ kind: 'stored_credential', profile: 'Prod' }), 'Prod').revoke).toBeNull();
  });
});
