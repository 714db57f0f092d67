import type { Principal, Role } from '../api/types.ts';

const order: Role[] = ['viewer', 'operator', 'admin'];

/** Roles are ordered as on the hub: an admin may do what an operator may, an operator what a viewer may. */
export function hasRole(principal: Principal | undefined, required: Role): boolean {
  return !!principal && order.indexOf(principal.role) >= order.indexOf(required);
}
