import { maskDetails, maskEmail, maskPhone } from './mask.js';

describe('masking', () => {
  it.each([
    ['+46701234567', '+46 70 *** ** 67'],
    ['+358401234567', '+358 40 *** ** 67'],
    ['+4791234567', '+47 91 *** ** 67'],
    ['+12025550167', '+1 20 *** ** 67'],
    ['garbage', '***'],
  ])('masks %s as %s', (input, out) => expect(maskPhone(input)).toBe(out));

  it('masks e-mail addresses keeping the domain', () => {
    expect(maskEmail('treasurer@club.se')).toBe('tr*******@club.se');
    expect(maskEmail('a@b.se')).toBe('a***@b.se');
  });

  it('masks e-mail and phone fields deep in details', () => {
    expect(maskDetails({ email: 'anna@club.se', nested: { to_phone: '+46701234567' }, other: 'keep' })).toEqual({
      email: 'an***@club.se',
      nested: { to_phone: '+46 70 *** ** 67' },
      other: 'keep',
    });
  });
});
