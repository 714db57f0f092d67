// Who is making a request, and what each role may do.

export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  kind: 'token' | 'oidc' | 'system';
  id: string;
  name: string;
  role: Role;
}

export const systemPrincipal: Principal = { kind: 'system', id: 'system', name: 'system', role: 'admin' };

/** Roles are ordered: an admin may do what an operator may, an operator what a viewer may. */
export function hasRole(principal: Principal, required: Role): boolean {
  return roles.indexOf(principal.role) >= roles.indexOf(required);
}
