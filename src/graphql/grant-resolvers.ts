/** Administrators grant unmasked access, for a reason and a bounded time (see docs/ACCESS.md). */
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { GraphQLError } from 'graphql';
import { createGrant, currentGrants, revokeGrant } from '../auth/grants.js';
import { BadUserInputError } from '../errors.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './scalars.js';

@ObjectType({ simpleResolvers: true, description: 'Unmasked access for one person, for a reason, until it expires. Send its id in X-Unmask-Grant.' })
export class UnmaskGrant {
  @Field(() => ID) id!: string;
  @Field(() => String) subject!: string;
  @Field(() => String) reason!: string;
  @Field(() => String) grantedBy!: string;
  @Field(() => DateTimeScalar) expiresAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When an administrator ended it early; null while it holds.' }) revokedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The administrator (token subject) who ended it.' }) revokedBy!: string | null;
}

@Resolver()
export class GrantResolver {
  @Mutation(() => UnmaskGrant, { description: 'Administrators: let one token subject see personal data unmasked for a while (logged).' })
  async grantUnmasking(
    @Arg('subject', () => String) subject: string,
    @Arg('reason', () => String) reason: string,
    @Arg('hours', () => Int) hours: number,
    @Ctx() ctx: Context,
  ): Promise<UnmaskGrant> {
    if (!subject.trim() || subject.length > 128) throw new BadUserInputError('subject: the token subject of the person to grant', { argument: 'subject' });
    if (reason.trim().length < 10 || reason.length > 500) throw new BadUserInputError('reason: say why, in 10 to 500 characters', { argument: 'reason' });
    if (!Number.isInteger(hours) || hours < 1 || hours > 72) throw new BadUserInputError('hours: 1 to 72', { argument: 'hours' });
    return Object.assign(new UnmaskGrant(), await createGrant(ctx.cases.service.db, subject.trim(), reason.trim(), hours, ctx.principal.subject));
  }

  @Mutation(() => UnmaskGrant, { description: 'Administrators: end a grant now (requests that send it are refused from then on).' })
  async revokeUnmasking(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<UnmaskGrant> {
    const grant = await revokeGrant(ctx.cases.service.db, id.slice(0, 64), ctx.principal.subject);
    if (!grant) throw new GraphQLError('no unmasking grant with this id', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
    return Object.assign(new UnmaskGrant(), grant);
  }

  @Query(() => [UnmaskGrant], { description: 'Administrators: the grants that have not expired, newest first (revoked ones marked).' })
  async unmaskGrants(@Ctx() ctx: Context): Promise<UnmaskGrant[]> {
    return (await currentGrants(ctx.cases.service.db)).map((g) => Object.assign(new UnmaskGrant(), g));
  }
}
