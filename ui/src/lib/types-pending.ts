// Types the Rust side is about to generate into `./bindings/` (ts-rs).
// Same names and shapes; when the generated files appear, switch the imports
// in `./types.ts` and delete this file.
import type { Environment } from './bindings/Environment';
import type { Error } from './bindings/Error';
import type { Profile } from './bindings/Profile';
import type { SecretBackend } from './bindings/SecretBackend';
import type { ServiceUrls } from './bindings/ServiceUrls';

export type AppState = {
  profiles: Array<Profile>;
  activeProfile: string | null;
  secrets: SecretsInfo;
  version: string;
};

export type SecretsInfo = {
  backend: SecretBackend;
  description: string;
  ready: boolean;
  problem: Error | null;
  encryptedFileExists: boolean;
};

export type ConnectInput = {
  name: string;
  environment: Environment;
  urls: ServiceUrls;
  vaultstreamToken: string | null;
  jwtKeysApiKey: string | null;
  vaultEmail: string | null;
  vaultPassword: string | null;
};
