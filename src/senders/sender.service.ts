import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../crypto/secret-box.js';
import { isUuid, newId } from '../db/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { SmtpHostGuard } from '../mail/smtp-host-guard.js';
import type { SmtpTransports } from '../mail/smtp-transports.js';
import { Sender } from './sender.entity.js';
import type { SenderInput } from './sender.input.js';
import type { ImportSendersResult, SenderVerification } from './sender.type.js';
import { type SenderFields, validateSender } from './sender.validation.js';
import { parseSendersCsv, type SenderRow } from './sender-csv.js';

export class SenderService {
  constructor(
    private readonly secretBox: SecretBox,
    private readonly transports: SmtpTransports,
    private readonly smtpHosts: SmtpHostGuard,
  ) {}

  list(em: EntityManager, accountId: string): Promise<Sender[]> {
    return em.find(Sender, { accountId, deletedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** A live (not deleted) sender of this account, or NOT_FOUND. */
  async get(em: EntityManager, accountId: string, id: string): Promise<Sender> {
    const sender = isUuid(id) ? await em.findOne(Sender, { id, accountId, deletedAt: null }) : null;
    if (!sender) throw new NotFoundError('sender', id);
    return sender;
  }

  async create(em: EntityManager, accountId: string, input: SenderInput): Promise<Sender> {
    const result = validateSender(input);
    if ('problems' in result) throw new BadInputError(result.problems.join('; '));
    await this.smtpHosts.check(result.fields.smtpHost, result.fields.smtpPort);
    return em.transactional(async (tx) => {
      await lockSendersOf(tx, accountId);
      const existing = await tx.findOne(Sender, { accountId, key: result.fields.key, deletedAt: null });
      if (existing) {
        throw new BadInputError(
          `a sender with key "${result.fields.key}" exists: delete it first, or use importSenders to update by key`,
        );
      }
      const sender = this.build(tx, accountId, result.fields);
      await tx.persist(sender).flush();
      return sender;
    });
  }

  /** All rows or none: one bad row imports nothing and every bad row is reported. Upserts by key. */
  async import(em: EntityManager, accountId: string, csv: string): Promise<ImportSendersResult> {
    const { senders, errors } = parseSendersCsv(csv);
    if (errors.length > 0) return { created: 0, updated: 0, errors };
    if (senders.length === 0) throw new BadInputError('the senders CSV has a header but no rows');
    const refused = await this.refusedHosts(senders);
    if (refused.length > 0) return { created: 0, updated: 0, errors: refused };
    return em.transactional(async (tx) => {
      await lockSendersOf(tx, accountId);
      const existing = await tx.find(Sender, {
        accountId,
        deletedAt: null,
        key: { $in: senders.map((s) => s.fields.key) },
      });
      const byKey = new Map(existing.map((s) => [s.key, s]));
      let created = 0;
      for (const { fields } of senders) {
        const sender = byKey.get(fields.key);
        if (sender) {
          const { password, ...stored } = fields;
          tx.assign(sender, {
            ...stored,
            passwordEncrypted: this.secretBox.seal(password, sender.id),
            updatedAt: new Date(),
          });
        } else {
          this.build(tx, accountId, fields);
          created++;
        }
      }
      await tx.flush();
      return { created, updated: senders.length - created, errors: [] };
    });
  }

  /** Soft delete: messages keep naming the sender, its key becomes free, its SMTP pool closes. */
  async delete(em: EntityManager, accountId: string, id: string): Promise<boolean> {
    const sender = await this.get(em, accountId, id);
    sender.deletedAt = new Date();
    sender.updatedAt = sender.deletedAt;
    await em.flush();
    this.transports.close(sender.id);
    return true;
  }

  /** Rows whose SMTP host leads inside, by the CSV line each row starts on. */
  private async refusedHosts(senders: SenderRow[]): Promise<{ line: number; message: string }[]> {
    const checks = await Promise.allSettled(
      senders.map(({ fields }) => this.smtpHosts.check(fields.smtpHost, fields.smtpPort)),
    );
    return checks.flatMap((check, i) =>
      check.status === 'rejected'
        ? [{ line: senders[i].line, message: (check.reason as Error).message }]
        : [],
    );
  }

  /** Connects and authenticates to the sender's SMTP server without sending anything. */
  async verify(em: EntityManager, accountId: string, id: string): Promise<SenderVerification> {
    const sender = await this.get(em, accountId, id);
    const error = await this.transports.verify(sender, this.password(sender));
    return { ok: error === null, error };
  }

  password(sender: Sender): string {
    return this.secretBox.open(sender.passwordEncrypted, sender.id);
  }

  /** A new sender entity, its password sealed under its own id. */
  private build(em: EntityManager, accountId: string, { password, ...fields }: SenderFields): Sender {
    const id = newId();
    return em.create(Sender, {
      id,
      accountId,
      ...fields,
      passwordEncrypted: this.secretBox.seal(password, id),
    });
  }
}

/** Serialises sender writes of one account, so two imports of the same new key cannot both insert it. */
async function lockSendersOf(em: EntityManager, accountId: string): Promise<void> {
  await em.execute(`select pg_advisory_xact_lock(hashtext('senders:' || ?))`, [accountId]);
}
