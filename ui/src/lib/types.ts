// One place the UI imports backend types from, so the switch from
// `types-pending.ts` to generated bindings touches a single file.
export type { ApiToken } from './bindings/ApiToken';
export type { ConnectionState } from './bindings/ConnectionState';
export type { Environment } from './bindings/Environment';
export type { Error as PortalErrorData } from './bindings/Error';
export type { ErrorCode } from './bindings/ErrorCode';
export type { Profile } from './bindings/Profile';
export type { ScopeInfo } from './bindings/ScopeInfo';
export type { SecretBackend } from './bindings/SecretBackend';
export type { Service } from './bindings/Service';
export type { ServiceStatus } from './bindings/ServiceStatus';
export type { ServiceUrls } from './bindings/ServiceUrls';
export type { AppState, ConnectInput, SecretsInfo } from './types-pending';
