import type { AppConfig } from '../config/config.js';
import { createEventStore } from '../eventstore/create-event-store.js';
import type { Clock } from '../shared/clock.js';
import { Secrets } from '../shared/secrets.js';
import { createKeyStore } from './key-store.js';
import { SealingEventStore } from './sealing-event-store.js';
import { PersonalDataVault } from './vault.js';

/** The configured event store behind the personal-data sealing layer (server and CLI alike). */
export async function createSealingEventStore(config: AppConfig, clock: Clock, secrets = new Secrets(config)): Promise<SealingEventStore> {
  const [events, keys] = await Promise.all([createEventStore(config, clock), createKeyStore(config)]);
  return new SealingEventStore(
    events,
    new PersonalDataVault(keys, secrets.encryptionKey, { now: () => clock.now() }),
    undefined,
    secrets.hmacKey,
  );
}
