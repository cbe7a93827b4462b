import { personal } from '../privacy/personal-data-rule.js';

/** Account lifecycle's personal fields (issue 16). */
export const ACCOUNT_PERSONAL_DATA = [personal('EmailChangeRequested', (d) => d.user_id, ['new_email'])];
