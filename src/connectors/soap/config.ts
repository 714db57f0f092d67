// Settings of the generic SOAP connector: a WSDL, how to sign in, which faults mean what, and per
// entity the operation that lists its records, with its paging and "changed since" arguments.
import { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');
/** An argument of the operation's input, dotted for nested elements ("filter.page"). */
const argumentName = z.string().regex(/^[A-Za-z_][\w.-]*$/, 'must be an element name or a dotted path');

export const changedSinceFormats = ['iso', 'date', 'unix'] as const;

const pagingSchema = z.discriminatedUnion('style', [
  z.strictObject({
    style: z.literal('page'),
    pageArgument: argumentName.default('page'),
    sizeArgument: argumentName.default('pageSize'),
    firstPage: z.number().int().min(0).default(1),
    pageSize: z.number().int().min(1).max(10_000).default(100),
  }),
  z.strictObject({
    style: z.literal('offset'),
    offsetArgument: argumentName.default('offset'),
    limitArgument: argumentName.default('limit'),
    pageSize: z.number().int().min(1).max(10_000).default(100),
  }),
  z.strictObject({ style: z.literal('none') }),
]);

export const soapEntitySchema = z
  .strictObject({
    operation: z.string().min(1).max(200),
    /** Where the operation is when the WSDL has several services or ports with that name. */
    service: z.string().min(1).optional(),
    port: z.string().min(1).optional(),
    /** Fixed arguments, sent with every call. */
    arguments: z.record(z.string(), z.unknown()).default({}),
    paging: pagingSchema.default({ style: 'none' }),
    /** Where the record list is in the operation's result ("Kunden.Kunde"); "" for the result itself. */
    resultPath: z.string().default(''),
    idField: z.string().min(1),
    /** The record field holding its change time: its newest value is the next "changed since". */
    updatedField: z.string().min(1).optional(),
    changedSince: z
      .strictObject({
        argument: argumentName,
        format: z.enum(changedSinceFormats).default('iso'),
        lookbackSeconds: z.number().int().min(0).max(86_400).default(300),
      })
      .optional(),
    /** Where the total number of records is in the result; without it, a short page is the last. */
    totalPath: z.string().min(1).optional(),
    deletions: z.enum(['sweep', 'none']).default('sweep'),
  })
  .refine((entity) => !entity.changedSince || entity.updatedField, {
    message: 'changedSince needs updatedField, the record field it is compared with',
    path: ['updatedField'],
  });
export type SoapEntity = z.output<typeof soapEntitySchema>;
export type SoapPaging = SoapEntity['paging'];

/** A fault matches when its code (with or without prefix) is named, or its faultstring contains a name. */
const faultNames = z.array(z.string().min(1).max(200)).max(50);

export const soapConfigSchema = z.strictObject({
  wsdlUrl: httpUrl,
  /** The service address, when it is not the one the WSDL names. */
  endpoint: httpUrl.optional(),
  auth: z
    .strictObject({
      kind: z.enum(['none', 'basic', 'wsSecurity']),
      /** WS-Security UsernameToken only. */
      passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText'),
      timestamp: z.boolean().default(true),
    })
    .default({ kind: 'none', passwordType: 'PasswordText', timestamp: true }),
  soapVersion: z.enum(['1.1', '1.2']).default('1.1'),
  headers: z.record(headerName, z.string()).default({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  faults: z
    .strictObject({
      /** Faults that mean the credentials were refused (besides HTTP 401). */
      auth: faultNames.default(['FailedAuthentication', 'InvalidSecurityToken']),
      /** Faults that mean "slow down" (besides HTTP 429, and 503 with Retry-After). */
      rateLimit: faultNames.default([]),
      /** The wait after a rate-limit fault that carries no Retry-After. */
      retryAfterSeconds: z.number().int().min(1).max(3_600).default(30),
      /** Faults that mean "changed since" reaches too far back: a full pass follows. */
      resync: faultNames.default([]),
    })
    .default({
      auth: ['FailedAuthentication', 'InvalidSecurityToken'],
      rateLimit: [],
      retryAfterSeconds: 30,
      resync: [],
    }),
  /** What each entity is read from. */
  entities: z.record(z.string().min(1).max(50), soapEntitySchema).default({}),
});

export const soapCredentialsSchema = z.strictObject({
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
});

export type SoapConfig = z.output<typeof soapConfigSchema>;
export type SoapFaults = SoapConfig['faults'];
export type SoapCredentials = z.infer<typeof soapCredentialsSchema>;

export function checkSoapCredentials(config: SoapConfig, credentials: SoapCredentials): FieldProblem[] {
  if (config.auth.kind === 'none') return [];
  return (['username', 'password'] as const)
    .filter((field) => !credentials[field])
    .map((field) => ({
      field: `credentials.${field}`,
      message: `required for auth kind "${config.auth.kind}"`,
    }));
}
