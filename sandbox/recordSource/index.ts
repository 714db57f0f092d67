export { customerId, generateCustomers, germanAmount, type SourceCustomer } from './customers.ts';
export { type FaultKind, type FaultSettings, faultKinds } from './faults.ts';
export {
  type RecordSource,
  type RecordSourceOptions,
  type SourceStats,
  startRecordSource,
} from './server.ts';
