import { personal } from '../privacy/personal-data-rule.js';

/** Individual players' personal fields. */
export const INDIVIDUAL_PERSONAL_DATA = [personal('IndividualSignedUp', (d) => d.user_id, ['display_name'])];
