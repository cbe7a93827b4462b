import { Injectable } from '@nestjs/common';
import type { ReactorDefinition } from './reactor.js';

/** Feature modules add their reactors in onModuleInit; the spine starts them at bootstrap. */
@Injectable()
export class ReactorRegistry {
  private readonly list: ReactorDefinition[] = [];
  add(reactor: ReactorDefinition): void {
    if (this.list.some((r) => r.name === reactor.name)) throw new Error(`duplicate reactor ${reactor.name}`);
    this.list.push(reactor);
  }
  get reactors(): readonly ReactorDefinition[] {
    return this.list;
  }
}
