import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { createMailTransport, MAIL_TRANSPORT } from './mail-transport.js';
import { SecurityNotificationService } from './security-notification.service.js';

@Global()
@Module({
  providers: [
    {
      provide: MAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => createMailTransport({ smtpUrl: c.smtpUrl, dataDir: c.dataDir, mailFrom: c.mailFrom }),
    },
    SecurityNotificationService,
  ],
  exports: [MAIL_TRANSPORT],
})
export class NotificationsModule {}
